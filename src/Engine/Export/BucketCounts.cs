using System.Globalization;

namespace GuidellmFunctions.Engine.Export;

/// <summary>Cumulative classic-histogram state for one family: counts per upper bound, sum and count. Not thread-safe.</summary>
public sealed class BucketCounts(IReadOnlyList<double> bounds)
{
    private readonly long[] _counts = new long[bounds.Count];

    /// <summary>Upper bounds.</summary>
    public IReadOnlyList<double> Bounds => bounds;

    /// <summary>Sum of observations.</summary>
    public double Sum { get; private set; }

    /// <summary>Observations.</summary>
    public long Count { get; private set; }

    /// <summary>Records <paramref name="value"/> (seconds).</summary>
    public void Observe(double value)
    {
        for (var i = 0; i < bounds.Count; i++)
        {
            if (value <= bounds[i])
            {
                _counts[i]++;
            }
        }

        Sum += value;
        Count++;
    }

    /// <summary>Observations at or below bound <paramref name="index"/>.</summary>
    public long Cumulative(int index) => _counts[index];

    /// <summary>The <c>le</c> label of <paramref name="bound"/>, as Prometheus writes it.</summary>
    public static string Le(double bound) => bound.ToString(CultureInfo.InvariantCulture);
}
