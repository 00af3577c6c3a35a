using GuidellmFunctions.Engine.Capacity;

namespace GuidellmFunctions.Engine.Tests.Capacity;

/// <summary>The search's plan against servers whose capacity is known: doubling, then bisection to the tolerance.</summary>
public sealed class CapacitySearchTests
{
    private static (List<double> Probes, CapacitySearch Search) Run(CapacityBy by, double start, double capacity, double tolerance = 0.1, int maxProbes = 20)
    {
        var search = new CapacitySearch(by, start, tolerance, maxProbes);
        var probes = new List<double>();
        while (search.Next() is { } load)
        {
            probes.Add(load);
            search.Record(load, load <= capacity);
        }

        return (probes, search);
    }

    [Fact]
    public void Streams_double_then_bisect_to_the_last_stream_that_passes()
    {
        var (probes, search) = Run(CapacityBy.Concurrency, 1, capacity: 11);

        Assert.Equal([1, 2, 4, 8, 16, 12, 10, 11], probes);
        Assert.Equal(11, search.Max);
        Assert.Equal(12, search.FirstFailing);
        Assert.Equal("tolerance", search.EndReason);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(4, 100)]
    [InlineData(1, 255)]
    public void The_capacity_found_is_exactly_the_streams_a_server_holds(double start, int capacity)
    {
        var (_, search) = Run(CapacityBy.Concurrency, start, capacity, tolerance: 0.001);

        Assert.Equal(capacity, search.Max);
        Assert.Equal(capacity + 1, search.FirstFailing);
    }

    [Fact]
    public void A_rate_is_bisected_until_the_failing_rate_is_within_the_tolerance_of_the_passing_one()
    {
        var (probes, search) = Run(CapacityBy.Rate, 2, capacity: 33.3, tolerance: 0.1);

        Assert.Equal([2, 4, 8, 16, 32, 64, 48, 40, 36, 34], probes);
        Assert.Equal(32, search.Max);
        Assert.Equal(34, search.FirstFailing);
        Assert.True((search.FirstFailing - search.Max) / search.Max <= 0.1);
    }

    [Fact]
    public void When_the_first_probe_fails_there_is_no_capacity()
    {
        var (probes, search) = Run(CapacityBy.Rate, 5, capacity: 1);

        Assert.Equal([5], probes);
        Assert.Null(search.Max);
        Assert.Equal(5, search.FirstFailing);
        Assert.Equal("first_probe_failed", search.EndReason);
    }

    [Fact]
    public void The_probe_cap_ends_a_search_that_has_not_converged_with_what_it_knows()
    {
        var (probes, search) = Run(CapacityBy.Concurrency, 1, capacity: 1000, maxProbes: 4);

        Assert.Equal([1, 2, 4, 8], probes);
        Assert.Equal(8, search.Max);
        Assert.Null(search.FirstFailing);
        Assert.Equal("max_probes", search.EndReason);
    }

    [Fact]
    public void A_fractional_start_of_streams_is_rounded_down_to_at_least_one()
    {
        Assert.Equal(1, new CapacitySearch(CapacityBy.Concurrency, 0.5, 0.1, 3).Next());
        Assert.Equal(3, new CapacitySearch(CapacityBy.Concurrency, 3.9, 0.1, 3).Next());
        Assert.Equal(0.5, new CapacitySearch(CapacityBy.Rate, 0.5, 0.1, 3).Next());
    }
}
