using System.IO.Compression;
using System.Text.Json;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Reporting;

/// <summary>The per-request record file: one gzip JSON line per request, as docs/metrics.md lists its fields.</summary>
public sealed class RequestRecordWriterTests : IDisposable
{
    private const long Frequency = 1000;
    private const long Start = 7_000;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static StageContext Stage(int index)
    {
        var settings = new BenchmarkSettings();
        var target = new ResolvedTarget("dev", new TargetConfig { Name = "t", Url = new Uri("http://127.0.0.1:1/v1"), Model = "m" }, settings);
        return new StageContext("run-1", target, StagePlan.Create(settings, index, ProfileKind.Constant), Start, () => 0);
    }

    private static List<JsonElement> Lines(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var text = reader.ReadToEnd();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    [Fact]
    public void A_successful_request_is_one_line_with_its_times_relative_to_the_stage_and_its_tokens()
    {
        var path = Path.Combine(_dir.Path, "nested", "r.requests.jsonl.gz");
        var result = new RequestResult
        {
            Index = 3, RequestId = "run-1-0-3", Status = RequestStatus.Successful, HttpStatus = 200, TimestampFrequency = Frequency,
            ScheduledTimestamp = Start + 100, SentTimestamp = Start + 102, FirstContentTimestamp = Start + 152, LastContentTimestamp = Start + 182,
            EndTimestamp = Start + 190, PromptTokensTarget = 256, OutputTokensTarget = 4, ContentChunks = 4, UsagePromptTokens = 260, UsageOutputTokens = 4,
        };
        result.AddGap(10);
        result.AddGap(10);
        result.AddGap(10);

        using (var writer = new RequestRecordWriter(path))
        {
            writer.OnRequestCompleted(Stage(1), result, RequestPhase.Measured);
            Assert.Equal(1, writer.Count);
        }

        var line = Assert.Single(Lines(path));
        Assert.Equal(1, line.GetProperty("stage").GetInt32());
        Assert.Equal(3, line.GetProperty("index").GetInt64());
        Assert.Equal("run-1-0-3", line.GetProperty("requestId").GetString());
        Assert.Equal("successful", line.GetProperty("status").GetString());
        Assert.Equal("measured", line.GetProperty("phase").GetString());
        Assert.Equal(200, line.GetProperty("httpStatus").GetInt32());
        Assert.Equal(100, line.GetProperty("scheduledMs").GetDouble());
        Assert.Equal(102, line.GetProperty("sentMs").GetDouble());
        Assert.Equal(2, line.GetProperty("dispatchDelayMs").GetDouble());
        Assert.Equal(50, line.GetProperty("ttftMs").GetDouble());
        Assert.Equal(88, line.GetProperty("e2eMs").GetDouble());
        Assert.Equal(10, line.GetProperty("tpotMs").GetDouble());
        Assert.Equal(10, line.GetProperty("itlMeanMs").GetDouble());
        Assert.Equal(10, line.GetProperty("itlMaxMs").GetDouble());
        Assert.Equal(260, line.GetProperty("promptTokens").GetInt32());
        Assert.Equal(256, line.GetProperty("promptTokensTarget").GetInt32());
        Assert.Equal(4, line.GetProperty("outputTokens").GetInt32());
        Assert.Equal("usage", line.GetProperty("outputSource").GetString());
        Assert.Equal(4, line.GetProperty("contentChunks").GetInt32());
        Assert.False(line.TryGetProperty("reason", out _));
        Assert.False(line.TryGetProperty("retryAfterSeconds", out _));
    }

    [Fact]
    public void Failures_warmup_cooldown_and_incomplete_requests_are_written_with_what_they_have()
    {
        var path = Path.Combine(_dir.Path, "r.requests.jsonl.gz");
        RequestResult Result(long index, RequestStatus status) => new()
        {
            Index = index, RequestId = $"r-{index}", Status = status, TimestampFrequency = Frequency,
            ScheduledTimestamp = Start + index, SentTimestamp = Start + index, EndTimestamp = Start + index + 5,
        };
        var throttled = Result(0, RequestStatus.Failed);
        throttled.Reason = FailureReason.Http429;
        throttled.Error = "HTTP 429: slow down";
        throttled.HttpStatus = 429;
        throttled.RetryAfter = TimeSpan.FromSeconds(3);

        using (var writer = new RequestRecordWriter(path))
        {
            writer.OnRequestCompleted(Stage(0), throttled, RequestPhase.Warmup);
            writer.OnRequestCompleted(Stage(0), Result(1, RequestStatus.Successful), RequestPhase.Cooldown);
            writer.OnRequestCompleted(Stage(0), Result(2, RequestStatus.Incomplete), RequestPhase.Measured);
            writer.Dispose();
            writer.OnRequestCompleted(Stage(0), Result(3, RequestStatus.Successful), RequestPhase.Measured);
            Assert.Equal(3, writer.Count);
        }

        var lines = Lines(path);
        Assert.Equal(["warmup", "cooldown", "measured"], lines.Select(l => l.GetProperty("phase").GetString()));
        Assert.Equal(["failed", "successful", "incomplete"], lines.Select(l => l.GetProperty("status").GetString()));
        Assert.Equal("http_429", lines[0].GetProperty("reason").GetString());
        Assert.Equal("HTTP 429: slow down", lines[0].GetProperty("error").GetString());
        Assert.Equal(3, lines[0].GetProperty("retryAfterSeconds").GetDouble());
        Assert.False(lines[0].TryGetProperty("ttftMs", out _));
        Assert.False(lines[0].TryGetProperty("itlMeanMs", out _));
        Assert.Equal("none", lines[2].GetProperty("outputSource").GetString());
    }

    [Fact]
    public void Concurrent_requests_each_get_a_whole_line()
    {
        var path = Path.Combine(_dir.Path, "r.requests.jsonl.gz");
        const int Requests = 2000;

        using (var writer = new RequestRecordWriter(path))
        {
            Parallel.For(0, Requests, i => writer.OnRequestCompleted(Stage(0), new RequestResult
            {
                Index = i, RequestId = $"r-{i}", Status = RequestStatus.Successful, TimestampFrequency = Frequency,
                SentTimestamp = Start, EndTimestamp = Start + 1, Error = new string('x', i % 300),
            }, RequestPhase.Measured));
        }

        var lines = Lines(path);
        Assert.Equal(Requests, lines.Count);
        Assert.Equal(Enumerable.Range(0, Requests).Select(i => (long)i), lines.Select(l => l.GetProperty("index").GetInt64()).Order());
        Assert.All(lines, l => Assert.Equal(l.GetProperty("index").GetInt64() % 300, l.GetProperty("error").GetString()!.Length));
    }
}
