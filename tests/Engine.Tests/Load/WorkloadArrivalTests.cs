using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Load;

/// <summary>Ramp-up and burstiness: the schedules' arithmetic, without sending anything.</summary>
public sealed class WorkloadArrivalTests
{
    private static double[] Offsets(IArrivalSchedule schedule, int count) => [.. Enumerable.Range(0, count).Select(_ => schedule.Next().TotalSeconds)];

    [Theory]
    [InlineData(0.25, 2.0)]
    [InlineData(1.0, 1.0)]
    [InlineData(4.0, 0.5)]
    public void Gamma_gaps_have_the_rates_mean_and_the_shapes_spread_and_are_seeded(double burstiness, double coefficientOfVariation)
    {
        var offsets = Offsets(new GammaArrivals(20, burstiness, seed: 3), 40_001);
        var gaps = offsets.Zip(offsets.Skip(1), (a, b) => b - a).ToArray();
        var mean = gaps.Average();
        var sd = Math.Sqrt(gaps.Select(g => (g - mean) * (g - mean)).Average());

        Assert.Equal(0, offsets[0]);
        Assert.InRange(mean, 0.05 * 0.97, 0.05 * 1.03);
        Assert.InRange(sd / mean, coefficientOfVariation * 0.95, coefficientOfVariation * 1.05);
        Assert.Equal(offsets.Take(100), Offsets(new GammaArrivals(20, burstiness, seed: 3), 100));
        Assert.NotEqual(offsets.Take(100), Offsets(new GammaArrivals(20, burstiness, seed: 4), 100));
    }

    [Fact]
    public void A_ramp_sends_as_many_requests_as_a_rate_rising_linearly_to_its_target()
    {
        // rate 10/s reached after 10 s: r t^2 / 2R requests by t < R, then 10/s.
        var offsets = Offsets(new RampedArrivals(new ConstantArrivals(10), TimeSpan.FromSeconds(10)), 201);

        Assert.Equal(0, offsets[0]);
        Assert.Equal(Math.Sqrt(2.0), offsets[1], 6);
        Assert.Equal(Math.Sqrt(2 * 10 * 12.0 / 10), offsets[12], 6);
        Assert.Equal(10, offsets[50], 6);
        Assert.Equal(15, offsets[100], 6);
        Assert.Equal(25, offsets[200], 6);
        Assert.Equal(13, offsets.Count(t => t < 5));
        Assert.InRange(offsets.Zip(offsets.Skip(1), (a, b) => b - a).Skip(60).Max(), 0.1 - 1e-9, 0.1 + 1e-9);
    }

    [Fact]
    public void A_ramped_poisson_stage_keeps_its_randomness_and_reaches_its_rate()
    {
        var offsets = Offsets(new RampedArrivals(new PoissonArrivals(50, 9), TimeSpan.FromSeconds(20)), 20_000);

        Assert.InRange(offsets.Count(t => t < 10), 125 * 0.8, 125 * 1.2);
        Assert.InRange(offsets.Count(t => t is >= 20 and < 30), 500 * 0.85, 500 * 1.15);
    }

    [Fact]
    public void The_stage_takes_gamma_gaps_for_burstiness_and_ramps_every_open_loop_profile()
    {
        var settings = new BenchmarkSettings { Profile = ProfileKind.Poisson, Rate = 4 };
        var plan = StagePlan.Create(settings, 0, ProfileKind.Poisson);
        var source = new FixedRequestSource(new Uri("http://127.0.0.1:1/v1/chat/completions"));

        Assert.IsType<PoissonArrivals>(ArrivalSchedules.For(plan, settings, source));
        Assert.IsType<GammaArrivals>(ArrivalSchedules.For(plan, settings.Set(SettingsTable.Burstiness, 0.5), source));
        Assert.IsType<RampedArrivals>(ArrivalSchedules.For(StagePlan.Create(settings, 0, ProfileKind.Constant), settings.Set(SettingsTable.RampUpSeconds, TimeSpan.FromSeconds(3)), source));
        Assert.Throws<InvalidOperationException>(() => ArrivalSchedules.For(StagePlan.Create(settings, 0, ProfileKind.Replay), settings, source));
    }
}
