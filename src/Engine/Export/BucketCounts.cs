using System.Globalization;

namespace GuidellmFunctions.Engine.Export;

/// <summary>Cumulative classic-histogram state for one family: counts per upper bound, sum and count. Not thread-safe.</summary>
internal sealed class BucketCounts
{
    private readonly double[] _bounds;
    private readonly string[] _les;
    private readonly long[] _counts;

    /// <summary>Creates empty buckets with the upper bounds <paramref name="bounds"/> (ascending).</summary>
    public BucketCounts(IReadOnlyList<double> bounds)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        _bounds = [.. bounds];
        _les = [.. _bounds.Select(Le)];
        _counts = new long[_bounds.Length];
    }

    /// <summary>Upper bounds.</summary>
    public IReadOnlyList<double> Bounds => _bounds;

    /// <summary>The <c>le</c> label of each bound.</summary>
    public IReadOnlyList<string> Les => _les;

    /// <summary>Sum of observations.</summary>
    public double Sum { get; private set; }

    /// <summary>Observations.</summary>
    public long Count { get; private set; }

    /// <summary>Records <paramref name="value"/> (seconds).</summary>
    public void Observe(double value)
    {
        // The first bound at or above the value; past the last bound, only +Inf (Count) holds it.
        var index = Array.BinarySearch(_bounds, value);
        index = index >= 0 ? index : ~index;
        if (index < _counts.Length)
        {
            _counts[index]++;
        }

        Sum += value;
        Count++;
    }

    /// <summary>Observations at or below each bound, in bound order.</summary>
    public long[] Cumulative()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += _counts[i];
            cumulative[i] = running;
        }

        return cumulative;
    }

    /// <summary>The <c>le</c> label of <paramref name="bound"/>, as Prometheus writes it.</summary>
    public static string Le(double bound) => bound.ToString(CultureInfo.InvariantCulture);
}
