using System.Text.Json;
using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Cli.Tests.Commands;

/// <summary><c>merge</c> over a local report directory holding shard reports.</summary>
public sealed class MergeCommandTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 16, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-merge-").FullName;
    private readonly StringWriter _out = new();

    public void Dispose()
    {
        _out.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<int> Run(params string[] args) => CliInvoker.RunAsync(_out, CancellationToken.None, args);

    private string Merged => Path.Combine(_dir, "e", "t", "2026", "12", "03", "r.json");

    private async Task SaveShardAsync(int index, int successful)
    {
        var ttft = new Distribution();
        Enumerable.Range(1, successful).ToList().ForEach(i => ttft.Record(i * 3));
        var summary = new BenchmarkSummary
        {
            Requests = new RequestCounts(successful, successful, 0, 0),
            Errors = new Dictionary<string, long>(),
            Tokens = new TokenCounts(successful * 10, successful * 5, "usage", 0, 0),
            TtftMs = ttft.Summarize(),
            ItlMs = DistributionSummary.Empty,
            TpotMs = DistributionSummary.Empty,
            E2eLatencyMs = ttft.Summarize(),
            DispatchDelayMs = DistributionSummary.Empty,
            Throughput = new ThroughputSummary(successful / 10.0, successful / 2.0, successful * 1.5),
            Concurrency = new ConcurrencySummary(1, 1),
        };
        var report = new RunReport
        {
            RunId = "r",
            Environment = "e",
            Target = "t",
            Model = "m",
            Status = RunStatus.Completed,
            StartedAt = Start,
            EndedAt = Start.AddSeconds(10),
            Trigger = RunTrigger.Queue,
            Config = new TargetReport { Endpoint = "http://127.0.0.1:1/v1/chat/completions" },
            Benchmarks = [new BenchmarkReport { Profile = new ProfileReport("concurrent", null, 1, null, 10, null, 0, 0), StartedAt = Start, EndedAt = Start.AddSeconds(10), DurationSeconds = 10, MeasuredSeconds = 10, StopReason = "max_seconds", Summary = summary }],
            Shard = new ShardSummary { Index = index, Count = 3, Status = "completed", StartAt = Start, StartSkewMs = 0 },
        };
        await new LocalReportStore(_dir, pages: false).SaveAsync(report, null, CancellationToken.None);
    }

    [Fact]
    public async Task Merge_waits_for_every_shard_unless_partial_never_merges_twice_and_force_merges_again()
    {
        await SaveShardAsync(1, 10);
        await SaveShardAsync(3, 20);

        Assert.Equal(1, await Run("merge", _dir));
        Assert.Contains("e/t: 2 of 3 shard reports saved; not merged yet", _out.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Merged));

        Assert.Equal(0, await Run("merge", _dir, "--partial"));
        using (var partial = JsonDocument.Parse(await File.ReadAllTextAsync(Merged)))
        {
            Assert.True(partial.RootElement.GetProperty("partial").GetBoolean());
            Assert.Equal(30, partial.RootElement.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty("successful").GetInt32());
        }

        await SaveShardAsync(2, 5);
        Assert.Equal(0, await Run("merge", _dir, "--run-id", "r"));
        Assert.Contains("e/t: run r is already merged", _out.ToString(), StringComparison.Ordinal);

        Assert.Equal(0, await Run("merge", _dir, "--force"));
        using var full = JsonDocument.Parse(await File.ReadAllTextAsync(Merged));
        Assert.False(full.RootElement.GetProperty("partial").GetBoolean());
        Assert.Equal(35, full.RootElement.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty("successful").GetInt32());
        Assert.Equal(2, await Run("merge", Path.Combine(_dir, "absent")));
    }
}
