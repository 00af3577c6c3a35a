using GuidellmFunctions.Engine.Export;

namespace GuidellmFunctions.Engine.Tests.Export;

public sealed class HistogramLayoutTests
{
    [Fact]
    public void Families_are_keyed_by_their_short_names()
    {
        Assert.Equal(["ttft", "itl", "e2e_latency", "tpot", "dispatch_delay", "ttfo"], HistogramLayout.Families.Keys);
        Assert.Equal("ttft", HistogramLayout.KeyOf(RunnerMetrics.Ttft));
    }

    [Fact]
    public void An_override_replaces_only_its_family()
    {
        var layout = new HistogramLayout(new Dictionary<string, IReadOnlyList<double>> { ["ttft"] = [0.1, 0.5, 1] });

        Assert.Equal([0.1, 0.5, 1], layout.For(RunnerMetrics.Ttft));
        Assert.Same(RunnerMetrics.E2e.Buckets, layout.For(RunnerMetrics.E2e));
    }

    [Fact]
    public void Go_runner_names_the_old_layout_of_each_family_and_fine_the_default()
    {
        Assert.Equal(BucketLayouts.GoRunnerTtft, HistogramLayout.Named("ttft", HistogramLayout.GoRunner));
        Assert.Equal(BucketLayouts.GoRunnerItl, HistogramLayout.Named("itl", HistogramLayout.GoRunner));
        Assert.Equal(BucketLayouts.GoRunnerItl, HistogramLayout.Named("tpot", HistogramLayout.GoRunner));
        Assert.Equal(BucketLayouts.GoRunnerE2e, HistogramLayout.Named("e2e_latency", HistogramLayout.GoRunner));
        Assert.Equal(BucketLayouts.DispatchDelay, HistogramLayout.Named("dispatch_delay", HistogramLayout.GoRunner));
        Assert.Same(BucketLayouts.Request, HistogramLayout.Named("e2e_latency", HistogramLayout.Fine));
        Assert.Null(HistogramLayout.Named("ttft", "coarse"));
        Assert.Null(HistogramLayout.Named("latency", HistogramLayout.Fine));
    }

    [Fact]
    public void Bad_boundaries_are_refused_with_every_problem_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => new HistogramLayout(new Dictionary<string, IReadOnlyList<double>>
        {
            ["ttft"] = [0.5, 0.1, -1, double.NaN],
            ["latency"] = [1],
            ["itl"] = [],
        }));

        Assert.Contains("ttft: boundaries must be ascending (0.5 then 0.1)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ttft: boundary -1 is not a positive number of seconds", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ttft: boundary NaN is not a positive number of seconds", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unknown histogram 'latency' (one of ttft, itl, e2e_latency, tpot, dispatch_delay, ttfo)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("itl: no bucket boundaries", ex.Message, StringComparison.Ordinal);
        Assert.Contains("at most 500", Assert.Single(HistogramLayout.Problems("ttft", [.. Enumerable.Range(1, 501).Select(i => i * 0.01)])), StringComparison.Ordinal);
    }
}
