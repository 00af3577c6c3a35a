using System.Numerics;

namespace GuidellmFunctions.Engine.Metrics;

/// <summary>
/// A fixed-precision histogram of non-negative integers (HdrHistogram's layout): values below 1024 are counted exactly,
/// larger ones in buckets 1/512 of their magnitude wide, so any percentile is within 0.1% of the true value. Memory is
/// allocated per power of two actually seen (4 KiB each) and never grows with the number of observations.
/// </summary>
internal sealed class LogLinearHistogram
{
    private const int SubBits = 10;
    private const int SubCount = 1 << SubBits;
    private const int HalfCount = SubCount / 2;

    private readonly long[] _exact = new long[SubCount];
    private readonly long[]?[] _ranges = new long[64 - SubBits + 1][];

    /// <summary>Observations recorded.</summary>
    public long Count { get; private set; }

    /// <summary>Records <paramref name="value"/> (negative values count as 0).</summary>
    public void Record(long value)
    {
        if (value < SubCount)
        {
            _exact[Math.Max(0, value)]++;
        }
        else
        {
            var shift = BitOperations.Log2((ulong)value) - (SubBits - 1);
            var sub = (int)(value >> shift) - HalfCount;
            (_ranges[shift] ??= new long[HalfCount])[sub]++;
        }

        Count++;
    }

    /// <summary>Adds every observation of <paramref name="other"/>.</summary>
    public void Add(LogLinearHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < SubCount; i++)
        {
            _exact[i] += other._exact[i];
        }

        for (var s = 0; s < _ranges.Length; s++)
        {
            if (other._ranges[s] is { } source)
            {
                var target = _ranges[s] ??= new long[HalfCount];
                for (var i = 0; i < HalfCount; i++)
                {
                    target[i] += source[i];
                }
            }
        }

        Count += other.Count;
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0–100) by nearest rank: the midpoint of the bucket holding the
    /// ceil(p/100 · n)-th smallest observation; 0 when empty.
    /// </summary>
    public double ValueAtPercentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(percentile, 0, 100) / 100.0 * Count));
        long seen = 0;
        for (var i = 0; i < SubCount; i++)
        {
            seen += _exact[i];
            if (seen >= rank)
            {
                return i;
            }
        }

        for (var s = 1; s < _ranges.Length; s++)
        {
            if (_ranges[s] is not { } range)
            {
                continue;
            }

            for (var i = 0; i < HalfCount; i++)
            {
                seen += range[i];
                if (seen >= rank)
                {
                    var low = (long)(i + HalfCount) << s;
                    return low + ((1L << s) / 2.0);
                }
            }
        }

        return double.NaN;
    }
}
