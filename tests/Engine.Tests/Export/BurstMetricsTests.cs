using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.ServerMetrics;

namespace GuidellmFunctions.Engine.Tests.Export;

public sealed class BurstMetricsTests
{
    internal static readonly ResolvedTarget Target = new("dev", new TargetConfig { Name = "sim", Url = new Uri("http://127.0.0.1:9/v1"), Model = "m/7b" }, new BenchmarkSettings());

    /// <summary>A successful request: dispatch 0.5 ms late, TTFT 120 ms, 16 tokens 20 ms apart (ITL and TPOT 20 ms), then 1 ms to its end.</summary>
    internal static RequestResult Success(double ttftMs = 120, int tokens = 16, double gapMs = 20)
    {
        var result = new RequestResult { RequestId = "r", TimestampFrequency = 1_000_000, ScheduledTimestamp = 1_000_000, Status = RequestStatus.Successful, UsagePromptTokens = 32, UsageOutputTokens = tokens };
        result.SentTimestamp = result.ScheduledTimestamp + 500;
        result.FirstContentTimestamp = result.SentTimestamp + (long)(ttftMs * 1000);
        for (var i = 1; i < tokens; i++)
        {
            result.AddGap((long)(gapMs * 1000));
        }

        result.LastContentTimestamp = result.FirstContentTimestamp + (long)((tokens - 1) * gapMs * 1000);
        result.EndTimestamp = result.LastContentTimestamp + 1000;
        return result;
    }

    internal static RequestResult Failure(FailureReason reason) => new()
    {
        RequestId = "f", TimestampFrequency = 1_000_000, ScheduledTimestamp = 1_000_000, SentTimestamp = 1_000_000, EndTimestamp = 1_002_000,
        Status = RequestStatus.Failed, Reason = reason,
    };

    private static Dictionary<string, double> Values(BurstMetrics metrics, long at = 1_000) => metrics.Snapshot(at).ToDictionary(
        s => string.Join(",", s.Labels.Where(l => l.Key is "__name__" or "le" or "reason").Select(l => l.Value)), s => s.Value, StringComparer.Ordinal);

    [Fact]
    public void Every_series_starts_at_zero_with_the_targets_and_the_receivers_labels()
    {
        var metrics = new BurstMetrics(Target, new Dictionary<string, string> { ["cluster"] = "c1" });

        var snapshot = metrics.Snapshot(1_000);

        Assert.All(snapshot, s => Assert.Equal(0, s.Value));
        Assert.All(snapshot, s => Assert.Equal(["__name__", "cluster", "environment", "model", "target"], s.Labels.Select(l => l.Key).Where(k => k is not ("le" or "reason"))));
        Assert.Equal(FailureReasons.All, snapshot.Where(s => s.Labels[0].Value == RunnerMetrics.RequestsFailed.Name).Select(s => s.Labels.Single(l => l.Key == "reason").Value));
        Assert.Equal(RunnerMetrics.Ttft.Buckets!.Count + 1, snapshot.Count(s => s.Labels[0].Value == "guidellm_ttft_seconds_bucket"));
        Assert.DoesNotContain(snapshot, s => s.Labels[0].Value == RunnerMetrics.LastBenchmarkTimestamp.Name);
        Assert.Empty(metrics.NativeSnapshot());
    }

    [Fact]
    public void A_reasoning_answer_feeds_ttfo_and_reasoning_tokens_and_a_stages_validity_its_gauge()
    {
        var metrics = new BurstMetrics(Target);
        var reasoning = Success(ttftMs: 50);
        reasoning.FirstAnswerTimestamp = reasoning.FirstContentTimestamp + 450_000;
        reasoning.UsageReasoningTokens = 9;
        metrics.Observe(reasoning);
        metrics.Observe(Success(ttftMs: 50));
        var before = Values(metrics);

        metrics.StageEnded(new BenchmarkReport
        {
            Profile = new ProfileReport("constant", 1, null, null, 1, null, 0, 0), StopReason = "max_seconds",
            Summary = ServerFiguresTests.Summary(DistributionSummary.Empty),
            Validity = new ValidityReport { Valid = false, Reasons = ["runner_cpu: ..."] },
        });
        var after = Values(metrics);

        Assert.Equal(1, before["guidellm_ttfo_seconds_count"]);
        Assert.Equal(0.5, before["guidellm_ttfo_seconds_sum"], 6);
        Assert.Equal(0, before["guidellm_ttfo_seconds_bucket,0.48"]);
        Assert.Equal(1, before["guidellm_ttfo_seconds_bucket,0.5"]);
        Assert.Equal(9, before["guidellm_reasoning_tokens_total"]);
        Assert.False(before.ContainsKey("guidellm_stage_valid"));
        Assert.Equal(0, after["guidellm_stage_valid"]);
    }

    [Fact]
    public void Requests_feed_the_counters_and_cumulative_buckets()
    {
        var metrics = new BurstMetrics(Target);
        metrics.Observe(Success(ttftMs: 120));
        metrics.Observe(Success(ttftMs: 700));
        metrics.Observe(Failure(FailureReason.Http5xx));

        var v = Values(metrics);

        Assert.Equal(3, v["guidellm_requests_total"]);
        Assert.Equal(2, v["guidellm_requests_successful_total"]);
        Assert.Equal(1, v["guidellm_requests_failed_total,http_5xx"]);
        Assert.Equal(0, v["guidellm_requests_failed_total,timeout"]);
        Assert.Equal(64, v["guidellm_prompt_tokens_total"]);
        Assert.Equal(32, v["guidellm_output_tokens_total"]);
        Assert.Equal(0, v["guidellm_ttft_seconds_bucket,0.11"]);
        Assert.Equal(1, v["guidellm_ttft_seconds_bucket,0.12"]);
        Assert.Equal(1, v["guidellm_ttft_seconds_bucket,0.65"]);
        Assert.Equal(2, v["guidellm_ttft_seconds_bucket,0.7"]);
        Assert.Equal(2, v["guidellm_ttft_seconds_bucket,+Inf"]);
        Assert.Equal(0.82, v["guidellm_ttft_seconds_sum"], 9);
        Assert.Equal(2, v["guidellm_ttft_seconds_count"]);
        Assert.Equal(30, v["guidellm_itl_seconds_count"]);
        Assert.Equal(30, v["guidellm_itl_seconds_bucket,0.02"]);
        Assert.Equal(2, v["guidellm_tpot_seconds_bucket,0.02"]);
        Assert.Equal(0, v["guidellm_tpot_seconds_bucket,0.019"]);
        Assert.Equal(3, v["guidellm_dispatch_delay_seconds_count"]);
        Assert.Equal(2, v["guidellm_e2e_latency_seconds_count"]);
    }

    [Fact]
    public void A_layout_sets_the_buckets_of_the_families_it_names()
    {
        var layout = new HistogramLayout(new Dictionary<string, IReadOnlyList<double>> { ["ttft"] = BucketLayouts.GoRunnerTtft });
        var metrics = new BurstMetrics(Target, layout: layout);
        metrics.Observe(Success(ttftMs: 120));

        var v = Values(metrics);

        Assert.Equal(["0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"], v.Keys.Where(k => k.StartsWith("guidellm_ttft_seconds_bucket,", StringComparison.Ordinal)).Select(k => k.Split(',')[1]));
        Assert.Equal(1, v["guidellm_ttft_seconds_bucket,0.25"]);
        Assert.Equal(RunnerMetrics.E2e.Buckets!.Count + 1, v.Keys.Count(k => k.StartsWith("guidellm_e2e_latency_seconds_bucket,", StringComparison.Ordinal)));
    }

    [Fact]
    public void Native_histograms_count_the_same_observations_as_the_classic_buckets()
    {
        var metrics = new BurstMetrics(Target, native: true);
        Assert.All(metrics.NativeSnapshot(), n => Assert.Equal(0UL, n.Histogram.Count));

        metrics.Observe(Success(ttftMs: 120));
        metrics.Observe(Success(ttftMs: 4000));

        var native = metrics.NativeSnapshot().ToDictionary(n => n.Labels.Single(l => l.Key == "__name__").Value, n => n.Histogram, StringComparer.Ordinal);
        var v = Values(metrics);
        Assert.Equal(HistogramLayout.Families.Values.Select(f => f.Name).Order(), native.Keys.Order());
        foreach (var (name, h) in native)
        {
            Assert.Equal(v[name + "_count"], h.Count);
            Assert.Equal(v[name + "_sum"], h.Sum, 9);
        }

        Assert.Equal([NativeHistogram.Index(0.12), NativeHistogram.Index(4)], native["guidellm_ttft_seconds"].Buckets().Select(b => b.Index));
        Assert.DoesNotContain(metrics.NativeSnapshot()[0].Labels, l => l.Key == "le");
    }

    [Fact]
    public void Throughput_gauges_are_the_rate_since_the_previous_snapshot_and_runs_count_at_the_end()
    {
        var metrics = new BurstMetrics(Target);
        _ = metrics.Snapshot(10_000);
        metrics.Observe(Success());
        metrics.Observe(Success());

        var v = Values(metrics, 12_000);
        metrics.RunEnded(completed: true, DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_500));
        metrics.RunEnded(completed: false, DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_100_000));
        var end = Values(metrics, 13_000);

        Assert.Equal(1, v["guidellm_requests_per_second"]);
        Assert.Equal(16, v["guidellm_output_tokens_per_second"]);
        Assert.Equal(0, end["guidellm_requests_per_second"]);
        Assert.Equal(2, end["guidellm_benchmark_runs_total"]);
        Assert.Equal(1, end["guidellm_benchmark_runs_failed_total"]);
        Assert.Equal(1_764_000_000.5, end["guidellm_last_benchmark_timestamp"]);
    }
}
