using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Tests.Load;

public sealed class ArrivalTests
{
    [Fact]
    public void Constant_arrivals_are_i_over_rate_without_drift()
    {
        var arrivals = new ConstantArrivals(3);
        var offsets = Enumerable.Range(0, 300_001).Select(_ => arrivals.Next()).ToList();

        Assert.Equal(TimeSpan.Zero, offsets[0]);
        Assert.Equal(TimeSpan.FromSeconds(1.0 / 3), offsets[1]);
        Assert.Equal(TimeSpan.FromSeconds(100_000), offsets[300_000]);
    }

    [Fact]
    public void Poisson_arrivals_are_seeded_with_the_right_mean_and_variance()
    {
        var a = new PoissonArrivals(50, seed: 11);
        var b = new PoissonArrivals(50, seed: 11);
        var offsets = Enumerable.Range(0, 20_000).Select(_ => a.Next().TotalSeconds).ToArray();

        Assert.Equal(offsets, Enumerable.Range(0, 20_000).Select(_ => b.Next().TotalSeconds).ToArray());
        Assert.Equal(0, offsets[0]);
        var gaps = offsets.Zip(offsets.Skip(1), (x, y) => y - x).ToArray();
        Assert.InRange(gaps.Average(), 0.0195, 0.0205);
        var sd = Math.Sqrt(gaps.Select(g => (g - gaps.Average()) * (g - gaps.Average())).Average());
        Assert.InRange(sd, 0.019, 0.021);
        Assert.NotEqual(offsets[1], new PoissonArrivals(50, 12).Skip1());
    }

    [Fact]
    public void Sweep_rates_are_evenly_spaced_between_the_measured_rates()
    {
        var rates = SweepPlanner.ConstantRates(synchronousRate: 2, throughputRate: 18, sweepSize: 10);

        Assert.Equal([4, 6, 8, 10, 12, 14, 16, 18], rates);
        Assert.Empty(SweepPlanner.ConstantRates(0, 10, 10));
        Assert.Equal([10.0], SweepPlanner.ConstantRates(5, 10, 3));
    }
}

internal static class PoissonTestExtensions
{
    public static double Skip1(this PoissonArrivals arrivals)
    {
        arrivals.Next();
        return arrivals.Next().TotalSeconds;
    }
}
