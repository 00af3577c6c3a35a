using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>Shard reports of run <c>r</c> of <c>e/t</c> with known counts, as a worker saves them.</summary>
public static class ShardReports
{
    /// <summary>Shard <paramref name="index"/> of <paramref name="count"/>: <paramref name="successful"/> requests (TTFT 3, 6, 9... ms) and one timeout over <paramref name="seconds"/>.</summary>
    public static RunReport Shard(int index, int count, int successful, double seconds, DateTimeOffset startAt, DateTimeOffset? startedAt = null)
    {
        var start = startedAt ?? startAt;
        var ttft = new Distribution();
        Enumerable.Range(1, successful).ToList().ForEach(i => ttft.Record(i * 3));
        var summary = new BenchmarkSummary
        {
            Requests = new RequestCounts(successful + 1, successful, 1, 0),
            Errors = new Dictionary<string, long> { ["timeout"] = 1 },
            Tokens = new TokenCounts(successful * 10, successful * 5, "usage", 0, 0),
            TtftMs = ttft.Summarize(),
            ItlMs = DistributionSummary.Empty,
            TpotMs = DistributionSummary.Empty,
            E2eLatencyMs = ttft.Summarize(),
            DispatchDelayMs = DistributionSummary.Empty,
            Throughput = new ThroughputSummary(successful / seconds, successful * 5 / seconds, successful * 15 / seconds),
            Concurrency = new ConcurrencySummary(2, 3),
        };
        return new RunReport
        {
            RunId = "r",
            Environment = "e",
            Target = "t",
            Model = "m",
            Status = RunStatus.Completed,
            StartedAt = start,
            EndedAt = start.AddSeconds(seconds),
            Trigger = RunTrigger.Queue,
            Config = new TargetReport { Endpoint = "http://127.0.0.1:1/v1/chat/completions" },
            Benchmarks = [new BenchmarkReport { Profile = new ProfileReport("concurrent", null, 2, null, seconds, null, 0, 0), StartedAt = start, EndedAt = start.AddSeconds(seconds), DurationSeconds = seconds, MeasuredSeconds = seconds, StopReason = "max_seconds", Summary = summary }],
            Shard = new ShardSummary { Index = index, Count = count, Status = "completed", StartAt = startAt, StartSkewMs = 0 },
        };
    }
}
