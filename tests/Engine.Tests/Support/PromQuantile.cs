using GuidellmFunctions.Engine.Export;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// <c>histogram_quantile</c> as Prometheus 2.42 computes it: linear interpolation inside the bucket the rank falls in,
/// for classic buckets (cumulative counts per upper bound, +Inf last) and for native histograms.
/// </summary>
internal static class PromQuantile
{
    public static double Classic(double q, IReadOnlyList<double> bounds, IReadOnlyList<long> cumulative, long count)
    {
        var rank = q * count;
        var b = 0;
        while (b < bounds.Count && cumulative[b] < rank)
        {
            b++;
        }

        if (b == bounds.Count)
        {
            // In the +Inf bucket: Prometheus answers the highest finite bound.
            return bounds[^1];
        }

        var start = b == 0 ? 0 : bounds[b - 1];
        var below = b == 0 ? 0 : cumulative[b - 1];
        return start + ((bounds[b] - start) * (rank - below) / (cumulative[b] - below));
    }

    public static double Classic(double q, BucketCounts buckets) => Classic(q, buckets.Bounds, buckets.Cumulative(), buckets.Count);

    public static double Native(double q, NativeHistogramSample h)
    {
        var rank = q * h.Count;
        double count = h.ZeroCount;
        if (count >= rank && h.ZeroCount > 0)
        {
            return h.ZeroThreshold * (rank / h.ZeroCount);
        }

        foreach (var (index, n) in h.Buckets())
        {
            if (count + n >= rank)
            {
                var lower = NativeHistogramSample.UpperBound(h.Schema, index - 1);
                var upper = NativeHistogramSample.UpperBound(h.Schema, index);
                return lower + ((upper - lower) * (rank - count) / n);
            }

            count += n;
        }

        return double.NaN;
    }
}
