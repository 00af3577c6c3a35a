using GuidellmFunctions.Engine.Metrics;

namespace GuidellmFunctions.Engine.Tests.Metrics;

public sealed class DistributionTests
{
    [Fact]
    public void Percentiles_are_within_a_tenth_of_a_percent_of_the_exact_nearest_rank()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 50_000).Select(_ => Math.Exp(random.NextDouble() * 12) / 10.0).ToArray();
        var distribution = new Distribution();
        foreach (var v in values)
        {
            distribution.Record(v);
        }

        var sorted = values.Order().ToArray();
        var summary = distribution.Summarize();
        foreach (var (p, actual) in (ReadOnlySpan<(double, double)>)[(50, summary.P50), (90, summary.P90), (95, summary.P95), (99, summary.P99), (99.9, summary.P999)])
        {
            var exact = sorted[(int)Math.Ceiling(p / 100 * sorted.Length) - 1];
            Assert.InRange(actual, exact - Math.Max(0.001, exact * 0.001), exact + Math.Max(0.001, exact * 0.001));
        }

        Assert.Equal(values.Length, summary.Count);
        Assert.Equal(values.Average(), summary.Mean, 6);
        Assert.Equal(sorted[0], summary.Min);
        Assert.Equal(sorted[^1], summary.Max);
        var variance = values.Select(v => (v - values.Average()) * (v - values.Average())).Average();
        Assert.Equal(Math.Sqrt(variance), summary.StdDev, 6);
    }

    [Fact]
    public void Small_samples_use_nearest_rank_and_stay_within_min_and_max()
    {
        var distribution = new Distribution();
        foreach (var v in (double[])[100.2, 100.4, 250.0])
        {
            distribution.Record(v);
        }

        var summary = distribution.Summarize();
        Assert.Equal(100.4, summary.P50, 1);
        Assert.Equal(250.0, summary.P99, 1);
        Assert.Equal(250.0, summary.P999);
    }

    [Fact]
    public void Empty_and_non_finite_observations_give_zeros()
    {
        var distribution = new Distribution();
        distribution.Record(double.NaN);
        distribution.Record(double.PositiveInfinity);

        Assert.Equal(DistributionSummary.Empty, distribution.Summarize());
    }

    [Fact]
    public void Histogram_memory_does_not_grow_with_observations()
    {
        var histogram = new LogLinearHistogram();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000_000; i++)
        {
            histogram.Record(100_000 + (i % 1000));
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes for 1M observations");
        Assert.Equal(1_000_000, histogram.Count);
    }

    [Fact]
    public void Concurrency_mean_is_time_weighted_over_the_window()
    {
        const long f = 1000;
        var tracker = new ConcurrencyTracker(0, f);
        tracker.Increment(0);
        tracker.Increment(1000);
        tracker.Decrement(3000);
        tracker.Decrement(4000);

        var (mean, max) = tracker.Measure(0, 4000);
        Assert.Equal((1 * 1 + 2 * 2 + 1 * 1) / 4.0, mean, 6);
        Assert.Equal(2, max);

        var (laterMean, _) = tracker.Measure(1000, 3000);
        Assert.Equal(2.0, laterMean, 6);
    }
}
