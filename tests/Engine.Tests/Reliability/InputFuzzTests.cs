using System.Text;
using CsCheck;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Runs;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Reliability;

/// <summary>
/// Property tests over what comes from outside: config files, SSE streams, queue messages. Whatever the input, the
/// parser returns a value or a clear error naming the problem; it never throws anything else.
/// </summary>
public sealed class InputFuzzTests
{
    private const string Valid = """
        environments:
          staging:
            targets:
              - name: mistral-7b
                url: http://vllm:8000/v1
                model: mistralai/Mistral-7B-Instruct-v0.3
                api_key: ${API_KEY:-none}
        defaults:
          profile: constant
          rate: 5
          max_seconds: 30s
          data_spec: "prompt_tokens=128,output_tokens=64"
        remote_write:
          - url: http://prometheus:9090/api/v1/write
            push_interval: 15s
        archive:
          connection: UseDevelopmentStorage=true
        """;

    /// <summary>A valid text with random edits: deletions, insertions of YAML-significant characters, swapped lines.</summary>
    private static Gen<string> Mutated(string valid, string alphabet) =>
        Gen.Select(Gen.Int[0, valid.Length], Gen.Int[0, 20], Gen.String[alphabet], Gen.Int[0, 3]).Select((at, cut, insert, kind) =>
        {
            var end = Math.Min(valid.Length, at + cut);
            return kind switch
            {
                0 => valid[..at] + valid[end..],
                1 => valid[..at] + insert + valid[at..],
                2 => valid[..at] + insert + valid[end..],
                _ => string.Join('\n', valid.Split('\n').Select((line, i) => i == at % 20 ? insert : line)),
            };
        });

    [Fact]
    public void The_config_loader_reports_any_broken_config_as_config_errors_with_a_message()
    {
        var loader = new ConfigLoader(_ => null);
        Gen.OneOf(Mutated(Valid, " :-{}[]\"'\n\t$#&*!|>%@`,?abc0123456789"), Gen.String).Sample(text =>
        {
            try
            {
                loader.LoadText(text, "fuzz.yaml");
            }
            catch (ConfigValidationException ex)
            {
                Assert.NotEmpty(ex.Errors);
                Assert.All(ex.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
            }
        }, iter: 3000, threads: 1);
    }

    [Fact]
    public async Task The_sse_reader_and_chunk_parser_survive_any_bytes_in_any_read_sizes()
    {
        var pieces = Gen.OneOf(
            Gen.Const("data: "u8.ToArray()), Gen.Const("\n"u8.ToArray()), Gen.Const("\r"u8.ToArray()), Gen.Const("\r\n"u8.ToArray()),
            Gen.Const(": comment\n"u8.ToArray()), Gen.Const("event: error\n"u8.ToArray()), Gen.Const("data: [DONE]\n\n"u8.ToArray()),
            Gen.Const("data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n"u8.ToArray()), Gen.Const("{\"usage\":{\"prompt_tokens\":"u8.ToArray()),
            Gen.Byte.Array[0, 64]);
        var streams = Gen.Select(pieces.Array[0, 40], Gen.Int[1, 64].Array[1, 8]);
        await streams.SampleAsync(async (parts, reads) =>
        {
            var bytes = parts.SelectMany(p => p).ToArray();
            using var reader = new SseReader(new TrickleStream(bytes, reads), TimeProvider.System, maxEventBytes: 256);
            var events = 0;
            SseReadResult result;
            while ((result = await reader.ReadAsync(CancellationToken.None)) == SseReadResult.Event)
            {
                events++;
                if (!ChunkParser.TryParse(reader.Data, out _, out var error))
                {
                    Assert.False(string.IsNullOrWhiteSpace(error));
                }
            }

            Assert.True(events <= bytes.Length + 1);
            Assert.True(result is SseReadResult.EndOfStream or SseReadResult.TooLarge);
        }, iter: 3000, threads: 1);
    }

    [Fact]
    public void The_chunk_parser_rejects_any_broken_json_with_a_reason()
    {
        var json = """{"id":"x","choices":[{"index":0,"delta":{"content":"hé\u00e9"},"finish_reason":null}],"usage":{"prompt_tokens":5,"completion_tokens":7}}""";
        Gen.OneOf(Mutated(json, "{}[]\":,\\u0123 ntrufals-.eE"), Gen.String).Sample(text =>
        {
            if (!ChunkParser.TryParse(Encoding.UTF8.GetBytes(text), out _, out var error))
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
            }
        }, iter: 5000, threads: 1);
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            if (!ChunkParser.TryParse(bytes, out _, out var error))
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
            }
        }, iter: 3000, threads: 1);
    }

    [Fact]
    public void The_queue_message_parser_returns_a_request_or_a_reason_for_any_message()
    {
        var config = new ConfigLoader(_ => null).LoadText(Valid, "valid.yaml");
        const string message = """{"runId":"r-1","environment":"staging","targets":["mistral-7b"],"overrides":{"rate":5,"maxSeconds":"30s","promptTokens":64},"requestedBy":"fuzz"}""";
        Gen.OneOf(Mutated(message, "{}[]\":,0123456789-. abcxyz"), Gen.String).Sample(text =>
        {
            var request = RunRequestParser.Parse(text, config, "fallback", out var reason);
            Assert.True(request is null != (reason is null));
            if (request is null)
            {
                Assert.False(string.IsNullOrWhiteSpace(reason));
            }
            else
            {
                Assert.True(RunIds.IsValid(request.RunId));
                Assert.Equal("staging", request.Environment);
            }
        }, iter: 5000, threads: 1);
    }
}
