using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Tests.Data;

/// <summary>The bodies a dataset's requests send: the question copied as the file writes it means what it meant.</summary>
public sealed class DatasetRequestSourceTests : IDisposable
{
    // Escapes of every kind a file may hold: newline, tab, quote, backslash, slash, a \u escape of an accent, a surrogate
    // pair, raw UTF-8 beyond ASCII, a control character, and HTML characters a default JSON writer escapes.
    private static readonly string[] Questions =
    [
        "line one\nline two\ttabbed \"quoted\" back\\slash a/b",
        "caf\u00e9 na\u00efve \ud83d\ude00 \u0001 <b>&amp;</b> 'single' + `tick`",
        "plain",
    ];

    private static readonly PromptGenerator Prompts = new();
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(RequestType.ChatCompletions)]
    [InlineData(RequestType.TextCompletions)]
    public void A_plain_records_question_is_sent_as_the_file_writes_it_and_means_the_same(RequestType type)
    {
        // Written with \u escapes for the non-ASCII (the serializer's default) and as raw UTF-8 by hand.
        var escaped = string.Join('\n', Questions.Select(q => JsonSerializer.Serialize(new { prompt = q, output_tokens = 8 })));
        var raw = string.Join('\n', Questions.Select(q => $"{{\"prompt\": \"{q.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\t", "\\t").Replace("\u0001", "\\u0001").Replace("/", "\\/")}\", \"output_tokens\": 8}}"));
        foreach (var file in new[] { escaped, raw })
        {
            var bodies = Bodies(file, type);

            for (var i = 0; i < Questions.Length; i++)
            {
                var (body, tokens) = bodies[i];
                var expected = RequestBodyBuilder.Build(type, "m", [new ChatMessage(ChatMessage.User, Questions[i])], 8, ignoreEos: true);
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(body)), $"question {i}: {Encoding.UTF8.GetString(body)}");
                Assert.Equal(Prompts.CountTokens(Questions[i]), tokens);
            }

            // Copied, not written again: the body holds the file's own escapes (an escaped '/', a raw 'é'), which a JSON writer would not write.
            Assert.Equal(file == raw, Encoding.UTF8.GetString(bodies[0].Body).Contains("a\\/b", StringComparison.Ordinal));
            Assert.Equal(file == raw, Encoding.UTF8.GetString(bodies[1].Body).Contains("café", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_conversations_system_message_is_sent_before_its_question_copied_as_written()
    {
        var record = JsonSerializer.Serialize(new { messages = new object[] { new { role = "system", content = "Be \"brief\"." }, new { role = "user", content = Questions[0] }, new { role = "assistant", content = "ok" } } });

        var (body, tokens) = Bodies(record, RequestType.ChatCompletions)[0];

        var expected = RequestBodyBuilder.Build(RequestType.ChatCompletions, "m", [new ChatMessage(ChatMessage.System, "Be \"brief\"."), new ChatMessage(ChatMessage.User, Questions[0])], 1, ignoreEos: true);
        var sent = JsonNode.Parse(body)!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected)!["messages"], sent["messages"]), Encoding.UTF8.GetString(body));
        Assert.Equal(Prompts.CountTokens("Be \"brief\".") + Prompts.CountTokens(Questions[0]), tokens);
    }

    [Fact]
    public void A_text_completion_with_a_system_message_joins_the_texts_as_before()
    {
        var record = JsonSerializer.Serialize(new { messages = new object[] { new { role = "system", content = "Be brief." }, new { role = "user", content = Questions[1] } } });

        var (body, _) = Bodies(record, RequestType.TextCompletions)[0];

        Assert.Equal("Be brief.\n\n" + Questions[1], JsonNode.Parse(body)!["prompt"]!.GetValue<string>());
    }

    private List<(byte[] Body, int Tokens)> Bodies(string file, RequestType type)
    {
        var path = Path.Combine(_dir.Path, $"d{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, file + "\n", new UTF8Encoding(false));
        var settings = new BenchmarkSettings { RequestType = type, Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(1)) }
            .Set(SettingsTable.Dataset, new DatasetSpec { Path = path });
        var target = new ResolvedTarget("test", new TargetConfig { Name = "t", Url = new Uri("http://127.0.0.1:1/v1"), Model = "m" }, settings);
        using var source = DatasetRequestSource.Open(target, Prompts, "run", new DatasetOpener(), NullLogger.Instance);
        var count = file.Split('\n').Length;
        return [.. Enumerable.Range(0, count).Select(i => source.Prepare(0, i)).Select(p => (p.Request.Body.ToArray(), p.PromptTokens))];
    }
}
