using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Shards;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Shards;

public sealed class ShardMergerTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Merged_statistics_equal_those_of_one_distribution_fed_every_observation()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 3000).Select(_ => Math.Exp(random.NextDouble() * 8)).ToList();
        var parts = new[] { new Distribution(), new Distribution(), new Distribution() };
        var whole = new Distribution();
        for (var i = 0; i < values.Count; i++)
        {
            parts[i % 3].Record(values[i]);
            whole.Record(values[i]);
        }

        var merged = Distribution.Merge(parts.Select(p => p.Summarize()));
        var expected = whole.Summarize();

        Assert.Equal((expected.Count, expected.Min, expected.Max, expected.P50, expected.P90, expected.P95, expected.P99, expected.P999), (merged.Count, merged.Min, merged.Max, merged.P50, merged.P90, merged.P95, merged.P99, merged.P999));
        Assert.Equal(expected.Mean, merged.Mean, 1e-9 * expected.Mean);
        Assert.Equal(expected.StdDev, merged.StdDev, 1e-9 * expected.StdDev);
        Assert.Equal(expected.Histogram!.Counts, merged.Histogram!.Counts);
        Assert.Same(DistributionSummary.Empty, Distribution.Merge([DistributionSummary.Empty]));
    }

    [Fact]
    public void Counts_add_up_rates_use_the_union_window_and_a_missing_shard_is_named()
    {
        var one = ShardReports.Shard(1, 3, successful: 100, seconds: 10, Start);
        var three = ShardReports.Shard(3, 3, successful: 50, seconds: 10, Start, startedAt: Start.AddSeconds(2));

        var merged = ShardMerger.Merge([three, one], 3, Start);

        var summary = merged.Benchmarks.Single().Summary;
        Assert.Equal(150, summary.Requests.Successful);
        Assert.Equal(12, merged.Benchmarks.Single().MeasuredSeconds, 6);
        Assert.Equal(150 / 12.0, summary.Throughput.RequestsPerSecond, 6);
        Assert.Equal(new Dictionary<string, long> { ["timeout"] = 2 }, summary.Errors);
        Assert.True(merged.Partial);
        Assert.Equal(["completed", "missing", "completed"], merged.Shards!.Select(s => s.Status));
        Assert.Equal(RunStatus.Completed, merged.Status);
        Assert.StartsWith("shard 2 missing", merged.StatusReason, StringComparison.Ordinal);
        Assert.Null(merged.Shard);
    }
}
