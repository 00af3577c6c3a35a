namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// A native histogram's running state: exponential buckets at <see cref="Schema"/> (32 per power of two, neighbouring
/// bounds 2.2% apart, so a quantile read from it is within 2.2% of the truth), grown as observations arrive. Not
/// thread-safe.
/// </summary>
internal sealed class NativeHistogram
{
    /// <summary>The resolution the runner sends: 2^5 buckets per power of two.</summary>
    public const int Schema = 5;

    /// <summary>The zero bucket's width, as Prometheus' Go client sets it (2^-128): in effect, exactly zero.</summary>
    public static readonly double ZeroThreshold = Math.ScaleB(1, -128);

    private const int BucketsPerPowerOfTwo = 1 << Schema;

    // Bucket fractions: bucket k of the power of two 2^(e-1)..2^e ends at 2^(e-1) * 2^((k+1)/32); Frexp-style lookup
    // keeps a value that is exactly a bound in the bucket it closes, as Prometheus' clients do.
    private static readonly double[] Fractions = [.. Enumerable.Range(0, BucketsPerPowerOfTwo).Select(j => Math.Pow(2, ((double)j / BucketsPerPowerOfTwo) - 1))];

    private long[] _counts = [];
    private int _first;
    private ulong _zero;
    private ulong _count;
    private double _sum;

    /// <summary>Observations so far.</summary>
    public ulong Count => _count;

    /// <summary>Records <paramref name="value"/>; a negative value counts as zero (latencies are never negative but for clock jitter).</summary>
    public void Observe(double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        _count++;
        _sum += value;
        if (value <= ZeroThreshold)
        {
            _zero++;
            return;
        }

        var index = Index(value);
        if (_counts.Length == 0)
        {
            _counts = new long[16];
            _first = index - 8;
        }
        else if (index < _first || index >= _first + _counts.Length)
        {
            var low = Math.Min(index, _first);
            var high = Math.Max(index, _first + _counts.Length - 1);
            var grown = new long[high - low + 1 + 16];
            var first = low - 8;
            Array.Copy(_counts, 0, grown, _first - first, _counts.Length);
            (_counts, _first) = (grown, first);
        }

        _counts[index - _first]++;
    }

    /// <summary>The bucket index of <paramref name="value"/> (above the zero threshold).</summary>
    public static int Index(double value)
    {
        var exponent = Math.ILogB(value) + 1;
        var fraction = Math.ScaleB(value, -exponent);
        var k = Array.BinarySearch(Fractions, fraction);
        k = k >= 0 ? k : ~k;
        return k + ((exponent - 1) * BucketsPerPowerOfTwo);
    }

    /// <summary>The current state as a sample: runs of buckets with fewer than three empty ones between are sent as one run.</summary>
    public NativeHistogramSample Snapshot()
    {
        var spans = new List<(int Offset, uint Length)>();
        var deltas = new List<long>();
        long previous = 0;
        var end = 0;
        int? spanStart = null;
        var spanLength = 0u;
        for (var i = 0; i < _counts.Length; i++)
        {
            if (_counts[i] == 0)
            {
                continue;
            }

            var index = _first + i;
            if (spanStart is { } open && index - (open + (int)spanLength) <= 2)
            {
                for (var gap = open + (int)spanLength; gap < index; gap++)
                {
                    deltas.Add(-previous);
                    previous = 0;
                    spanLength++;
                }
            }
            else
            {
                if (spanStart is { } closed)
                {
                    spans.Add((closed - end, spanLength));
                    end = closed + (int)spanLength;
                }

                spanStart = index;
                spanLength = 0;
            }

            deltas.Add(_counts[i] - previous);
            previous = _counts[i];
            spanLength++;
        }

        if (spanStart is { } last)
        {
            spans.Add((last - end, spanLength));
        }

        return new NativeHistogramSample(Schema, ZeroThreshold, _zero, _count, _sum, spans, deltas);
    }
}
