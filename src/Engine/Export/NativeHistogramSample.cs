namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// One native (exponential) histogram sample, as remote_write's <c>Histogram</c> carries it: observations above the
/// zero threshold counted in buckets whose upper bounds are powers of <c>2^(2^-schema)</c> (bucket <c>i</c> holds
/// <c>(base^(i-1), base^i]</c>), listed as spans of consecutive buckets with each count a delta to the one before.
/// </summary>
/// <param name="Schema">Resolution: <c>2^schema</c> buckets per power of two.</param>
/// <param name="ZeroThreshold">Observations at or below it are counted in <paramref name="ZeroCount"/>.</param>
/// <param name="ZeroCount">Observations in the zero bucket.</param>
/// <param name="Count">Observations.</param>
/// <param name="Sum">Sum of observations; <see cref="StaleMarker.Value"/> in a staleness marker.</param>
/// <param name="PositiveSpans">Runs of buckets: offset from the previous run's end (the first run's start index), length.</param>
/// <param name="PositiveDeltas">Each bucket's count minus the previous bucket's (the first bucket's count), over all runs.</param>
internal sealed record NativeHistogramSample(
    int Schema,
    double ZeroThreshold,
    ulong ZeroCount,
    ulong Count,
    double Sum,
    IReadOnlyList<(int Offset, uint Length)> PositiveSpans,
    IReadOnlyList<long> PositiveDeltas)
{
    /// <summary>The staleness marker of a native histogram series: no buckets, and the stale NaN as its sum.</summary>
    public static NativeHistogramSample Stale(int schema, double zeroThreshold) => new(schema, zeroThreshold, 0, 0, StaleMarker.Value, [], []);

    /// <summary>True for a staleness marker.</summary>
    public bool IsStale => StaleMarker.Is(Sum);

    /// <summary>Each non-empty bucket's index and count, ascending.</summary>
    public IEnumerable<(int Index, long Count)> Buckets()
    {
        var index = 0;
        var delta = 0;
        long count = 0;
        foreach (var (offset, length) in PositiveSpans)
        {
            index += offset;
            for (var i = 0; i < length; i++, index++)
            {
                count += PositiveDeltas[delta++];
                if (count != 0)
                {
                    yield return (index, count);
                }
            }
        }
    }

    /// <summary>The upper bound of bucket <paramref name="index"/> at <paramref name="schema"/>: <c>2^(index / 2^schema)</c>.</summary>
    public static double UpperBound(int schema, int index) => Math.Pow(2, index * Math.Pow(2, -schema));
}
