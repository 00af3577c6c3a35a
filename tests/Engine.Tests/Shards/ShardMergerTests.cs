using GuidellmFunctions.Engine.Configuration;
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

    [Fact]
    public void The_merged_config_is_the_whole_runs_and_each_shard_entry_its_share()
    {
        // 7 streams and 10 requests in 3 shards: 3, 2, 2 streams and 4, 3, 3 requests; shard 2 never reports.
        var run = new BenchmarkSettings { Profile = ProfileKind.Concurrent, Rate = 7, MaxRequests = 10, Seed = 5 };
        var whole = new ResolvedTarget("e", new TargetConfig { Name = "t", Url = new Uri("http://127.0.0.1:1/v1"), Model = "m" }, run);
        var reports = new[] { 1, 3 }.Select(i =>
        {
            var shard = ShardPlanner.Assign(whole, new ShardAssignment(i, 3, Start, TimeSpan.Zero));
            var report = ShardReports.Shard(i, 3, successful: 10, seconds: 5, Start) with { Config = EffectiveConfig.Describe(shard) };
            return report with { Shard = shard.Shard!.Describe(report, shard.Settings) };
        }).ToList();

        var merged = ShardMerger.Merge(reports, 3, Start);

        Assert.Equal(EffectiveConfig.Describe(whole).Settings.ToDictionary(p => p.Key, p => p.Value.GetRawText()), merged.Config.Settings.ToDictionary(p => p.Key, p => p.Value.GetRawText()));
        Assert.Equal((7.0, 10, 5), (merged.Config.Settings["rate"].GetDouble(), merged.Config.Settings["maxRequests"].GetInt32(), merged.Config.Settings["seed"].GetInt32()));
        Assert.Equal([3, null, 2], merged.Shards!.Select(s => s.Streams));
        Assert.Equal([4, null, 3], merged.Shards!.Select(s => s.MaxRequests));
        Assert.All(merged.Shards!, s => Assert.Null(s.Rate));
    }
}
