using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Engine.Verdicts;

namespace GuidellmFunctions.Engine.Tests.Verdicts;

/// <summary>
/// The verdict's statistics on latencies of a known process. A load test's latencies are autocorrelated (the same batch,
/// the same queue): blocks keep that, where resampling single requests makes intervals too narrow and cries wolf.
/// </summary>
public sealed class BlockBootstrapTests
{
    private static readonly VerdictMetricDefinition TtftMedian = VerdictMetricDefinition.All[0];

    private static BlockedSample Sample(IReadOnlyList<SyntheticRuns.Request> requests, int blocks)
    {
        var sample = new BlockedSample([new StageWindow(0, 0, requests[^1].SentMs + 1, blocks)]);
        foreach (var r in requests)
        {
            sample.Add(new RecordFields(0, true, "successful", r.SentMs, r.TtftMs, r.TpotMs, r.E2eMs, r.OutputTokens));
        }

        sample.Seal();
        return sample;
    }

    /// <summary>How many of 20 pairs of runs of one unchanged process have a 95% interval of the TTFT median's change that excludes 0.</summary>
    private static int FalseAlarms(Func<int, int> blocks)
    {
        var alarms = 0;
        for (var pair = 0; pair < 20; pair++)
        {
            var a = SyntheticRuns.Autocorrelated(1000, 50, phi: 0.9, seed: (2 * pair) + 1);
            var b = SyntheticRuns.Autocorrelated(1000, 50, phi: 0.9, seed: (2 * pair) + 2);
            var estimate = Assert.Single(BlockBootstrap.Run(Sample(a, blocks(a.Count)), Sample(b, blocks(b.Count)), [TtftMedian], 0.05, pair, replicates: 400));
            alarms += estimate.Low > 0 || estimate.High < 0 ? 1 : 0;
        }

        return alarms;
    }

    [Fact]
    public void Blocks_keep_the_interval_honest_on_autocorrelated_latencies_where_single_requests_cry_wolf()
    {
        var blocked = FalseAlarms(_ => 64);
        var single = FalseAlarms(n => n);

        Assert.True(blocked <= 3, $"{blocked} of 20 unchanged pairs had an interval excluding no change with blocks");
        Assert.True(single >= 8, $"only {single} of 20 with one request per block: the process is not autocorrelated enough to tell");
    }

    [Fact]
    public void A_twenty_percent_slower_tpot_is_estimated_within_its_interval_and_the_interval_excludes_no_change()
    {
        var before = SyntheticRuns.Autocorrelated(2000, 50, phi: 0.9, seed: 11);
        var after = SyntheticRuns.Autocorrelated(2000, 50, phi: 0.9, seed: 12, tpotMs: 12);

        var estimates = BlockBootstrap.Run(Sample(before, 64), Sample(after, 64), VerdictMetricDefinition.All, 0.05 / 7, seed: 3);

        var tpot = estimates.Single(e => e.Metric.Name == "tpot_p50_ms");
        Assert.InRange(tpot.Change, 0.12, 0.28);
        Assert.True(tpot.Low > 0.05 && tpot.Low <= tpot.Change && tpot.Change <= tpot.High, $"{tpot}");
        var ttft = estimates.Single(e => e.Metric.Name == "ttft_p50_ms");
        Assert.True(ttft.Low < 0 && ttft.High > 0, $"TTFT did not change: {ttft}");
        Assert.Equal(7, estimates.Count);
    }

    [Fact]
    public void Quantiles_and_throughput_agree_with_the_exact_values_within_the_bucket_resolution()
    {
        var requests = SyntheticRuns.Autocorrelated(3000, 100, phi: 0.5, seed: 5);
        var sample = Sample(requests, 64);

        var estimates = BlockBootstrap.Run(sample, sample, VerdictMetricDefinition.All, 0.05, seed: 1, replicates: 50);

        double Exact(Func<SyntheticRuns.Request, double> f, double q)
        {
            var sorted = requests.Select(f).Order().ToList();
            return sorted[(int)Math.Ceiling(q * sorted.Count) - 1];
        }

        Assert.Equal(Exact(r => r.TtftMs, 0.5), estimates[0].Baseline, Exact(r => r.TtftMs, 0.5) * 0.006);
        Assert.Equal(Exact(r => r.TtftMs, 0.95), estimates[1].Baseline, Exact(r => r.TtftMs, 0.95) * 0.006);
        Assert.Equal(Exact(r => r.E2eMs, 0.95), estimates[5].Baseline, Exact(r => r.E2eMs, 0.95) * 0.006);
        Assert.Equal(32 * 3000 / ((requests[^1].SentMs + 1) / 1000), estimates[6].Baseline, 1e-6);
        Assert.All(estimates, e => Assert.Equal(0, e.Change));
    }

    [Fact]
    public void The_seed_of_two_runs_is_the_same_in_every_process()
    {
        Assert.Equal(BlockBootstrap.Seed("a", "b"), BlockBootstrap.Seed("a", "b"));
        Assert.NotEqual(BlockBootstrap.Seed("a", "b"), BlockBootstrap.Seed("b", "a"));
        Assert.Equal(686_752, BlockBootstrap.Seed("20261128T020000Z-1a2b3c4d", "20261129T020000Z-5e6f7a8b"));
    }
}
