using GuidellmFunctions.Engine.ServerMetrics;
using GuidellmFunctions.Engine.ServerMetrics.Exposition;

namespace GuidellmFunctions.Engine.Tests.ServerMetrics;

/// <summary>Quantiles as PromQL's histogram_quantile computes them, and differences of two readings.</summary>
public sealed class BucketHistogramTests
{
    private static BucketHistogram Of(params (string Le, double Count)[] buckets) =>
        BucketHistogram.From(buckets.Select(b => new ExpositionSample("h_bucket", [new("le", b.Le)], b.Count)), 10, buckets[^1].Count)!;

    [Theory]
    [InlineData(0.25, 1.0)] // rank 1 in (0, 1]: from 0
    [InlineData(0.5, 1.5)] // rank 2 in (1, 2], one of two observations before it
    [InlineData(0.75, 2.0)] // rank 3 ends (1, 2]
    [InlineData(0.99, 4.0)] // rank 3.96 in +Inf: the highest finite bound
    [InlineData(0.0, 0.0)]
    public void Quantiles_interpolate_inside_the_bucket_as_histogram_quantile_does(double q, double expected)
    {
        var histogram = Of(("1", 1), ("2", 3), ("4", 3), ("+Inf", 4));

        Assert.Equal(expected, histogram.Quantile(q)!.Value, 9);
    }

    [Fact]
    public void A_first_bucket_at_or_below_zero_is_returned_as_is()
    {
        Assert.Equal(0, Of(("0", 2), ("1", 4), ("+Inf", 4)).Quantile(0.25));
    }

    [Fact]
    public void Without_observations_or_an_inf_bucket_there_is_no_quantile()
    {
        Assert.Null(Of(("1", 0), ("+Inf", 0)).Quantile(0.5));
        Assert.Null(BucketHistogram.From([new ExpositionSample("h_bucket", [new("le", "1")], 3)], 1, 3));
        Assert.Null(BucketHistogram.From([new ExpositionSample("h_bucket", [new("le", "one")], 3)], 1, 3));
    }

    [Fact]
    public void Series_are_summed_per_bound_and_readings_subtracted()
    {
        var engine0 = new ExpositionSample[] { new("h_bucket", [new("engine", "0"), new("le", "1.0")], 2), new("h_bucket", [new("engine", "0"), new("le", "+Inf")], 3) };
        var engine1 = new ExpositionSample[] { new("h_bucket", [new("engine", "1"), new("le", "1.0")], 1), new("h_bucket", [new("engine", "1"), new("le", "+Inf")], 1) };
        var before = BucketHistogram.From(engine0, 2.5, 3)!;
        var after = BucketHistogram.From([.. engine0, .. engine1], 4.0, 4)!;

        var stage = after.Minus(before, out var reset);

        Assert.False(reset);
        Assert.Equal([1.0, double.PositiveInfinity], stage.Bounds);
        Assert.Equal([1.0, 1.0], stage.Cumulative);
        Assert.Equal((1.5, 1.0), (stage.Sum, stage.Count));
        Assert.Same(before, before.Minus(after, out reset));
        Assert.True(reset);
    }
}
