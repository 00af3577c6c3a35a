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

    /// <summary>Number of buckets in the layout (<see cref="HistogramSnapshot.LogLinearMicros"/>): bucket indexes run from 0 to this, exclusive.</summary>
    public const int BucketCount = SubCount + ((63 - SubBits) * HalfCount);

    // A span of a snapshot ends after this many empty buckets: a zero costs two bytes of JSON, a new span about twelve.
    private const int SpanGap = 6;

    /// <summary>Observations recorded.</summary>
    public long Count { get; private set; }

    /// <summary>The smallest value bucket <paramref name="index"/> holds.</summary>
    public static long BucketLow(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, BucketCount);
        if (index < SubCount)
        {
            return index;
        }

        var shift = ((index - SubCount) / HalfCount) + 1;
        var sub = ((index - SubCount) % HalfCount) + HalfCount;
        return (long)sub << shift;
    }

    /// <summary>The smallest value above bucket <paramref name="index"/> (its exclusive upper bound).</summary>
    public static double BucketHigh(int index)
    {
        var shift = index < SubCount ? 0 : ((index - SubCount) / HalfCount) + 1;
        return BucketLow(index) + (double)(1L << shift);
    }

    /// <summary>
    /// The buckets holding observations, sparse and exact (see <see cref="HistogramSnapshot"/>): adding two snapshots'
    /// counts gives the snapshot of every observation of both.
    /// </summary>
    public HistogramSnapshot Snapshot()
    {
        var spans = new List<IReadOnlyList<int>>();
        var counts = new List<long>();
        int start = -1, length = 0, zeros = 0;
        void Close()
        {
            if (start >= 0)
            {
                spans.Add([start, length - zeros]);
                counts.RemoveRange(counts.Count - zeros, zeros);
            }

            start = -1;
            length = zeros = 0;
        }

        for (var index = 0; index < BucketCount; index++)
        {
            var count = CountAt(index);
            if (count == 0)
            {
                if (start >= 0)
                {
                    counts.Add(0);
                    length++;
                    if (++zeros > SpanGap)
                    {
                        Close();
                    }
                }

                if (index >= SubCount && _ranges[((index - SubCount) / HalfCount) + 1] is null)
                {
                    // A whole power of two never seen: skip to its end.
                    Close();
                    index += HalfCount - 1 - ((index - SubCount) % HalfCount);
                }

                continue;
            }

            if (start < 0)
            {
                start = index;
            }

            counts.Add(count);
            length++;
            zeros = 0;
        }

        Close();
        return new HistogramSnapshot { Spans = spans, Counts = counts };
    }

    /// <summary>A histogram holding the observations of <paramref name="snapshot"/>.</summary>
    /// <exception cref="FormatException">The snapshot's layout is unknown or its spans and counts disagree.</exception>
    public static LogLinearHistogram FromSnapshot(HistogramSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var histogram = new LogLinearHistogram();
        foreach (var (index, count) in snapshot.Buckets())
        {
            if (count == 0)
            {
                continue;
            }

            if (index < SubCount)
            {
                histogram._exact[index] += count;
            }
            else
            {
                var shift = ((index - SubCount) / HalfCount) + 1;
                (histogram._ranges[shift] ??= new long[HalfCount])[(index - SubCount) % HalfCount] += count;
            }

            histogram.Count += count;
        }

        return histogram;
    }

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

    private long CountAt(int index)
    {
        if (index < SubCount)
        {
            return _exact[index];
        }

        var range = _ranges[((index - SubCount) / HalfCount) + 1];
        return range is null ? 0 : range[(index - SubCount) % HalfCount];
    }
}
