using System.Globalization;
using GuidellmFunctions.Engine.ServerMetrics.Exposition;

namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>
/// A classic Prometheus histogram read from a server: cumulative counts per upper bound (ascending, the last +Inf), sum
/// and count, summed over the series it was built from. Differences of two readings give a stage's observations.
/// </summary>
/// <param name="Bounds">Upper bounds, ascending, the last <see cref="double.PositiveInfinity"/>.</param>
/// <param name="Cumulative">Observations at or below each bound.</param>
/// <param name="Sum">Sum of the observations.</param>
/// <param name="Count">Number of observations.</param>
internal sealed record BucketHistogram(double[] Bounds, double[] Cumulative, double Sum, double Count)
{
    /// <summary>
    /// The histogram of <paramref name="buckets"/> (<c>_bucket</c> samples, any number of series, summed per bound);
    /// null when they hold no <c>+Inf</c> bucket or an unreadable <c>le</c>.
    /// </summary>
    public static BucketHistogram? From(IEnumerable<ExpositionSample> buckets, double sum, double count)
    {
        var byBound = new SortedDictionary<double, double>();
        foreach (var sample in buckets)
        {
            if (sample.Label("le") is not { } le || !ExpositionParser.TryParseValue(le, out var bound) || double.IsNaN(bound))
            {
                return null;
            }

            byBound[bound] = byBound.GetValueOrDefault(bound) + sample.Value;
        }

        if (!byBound.ContainsKey(double.PositiveInfinity))
        {
            return null;
        }

        return new BucketHistogram([.. byBound.Keys], [.. byBound.Values], sum, count);
    }

    /// <summary>
    /// The observations made between <paramref name="before"/> and this reading. A count lower than before's (the server
    /// restarted) gives this reading whole, with <paramref name="reset"/> set; differing bounds likewise.
    /// </summary>
    public BucketHistogram Minus(BucketHistogram? before, out bool reset)
    {
        reset = false;
        if (before is null)
        {
            return this;
        }

        if (Count < before.Count || !Bounds.AsSpan().SequenceEqual(before.Bounds))
        {
            reset = true;
            return this;
        }

        var cumulative = new double[Cumulative.Length];
        for (var i = 0; i < cumulative.Length; i++)
        {
            cumulative[i] = Math.Max(0, Cumulative[i] - before.Cumulative[i]);
        }

        return new BucketHistogram(Bounds, cumulative, Math.Max(0, Sum - before.Sum), Count - before.Count);
    }

    /// <summary>Observations in the histogram, from its <c>+Inf</c> bucket.</summary>
    public double Observations => Cumulative[^1];

    /// <summary>
    /// The <paramref name="q"/>-quantile as PromQL's <c>histogram_quantile</c> computes it: linear inside the bucket the
    /// rank falls in (the first bucket from 0 when its bound is positive), the highest finite bound when it falls in +Inf.
    /// Null without observations.
    /// </summary>
    public double? Quantile(double q)
    {
        var total = Observations;
        if (total <= 0 || double.IsNaN(q))
        {
            return null;
        }

        q = Math.Clamp(q, 0, 1);
        var rank = q * total;
        var i = 0;
        while (i < Cumulative.Length - 1 && Cumulative[i] < rank)
        {
            i++;
        }

        if (double.IsPositiveInfinity(Bounds[i]))
        {
            return Bounds.Length > 1 ? Bounds[^2] : null;
        }

        var lower = i == 0 ? 0 : Bounds[i - 1];
        if (i == 0 && Bounds[0] <= 0)
        {
            return Bounds[0];
        }

        var below = i == 0 ? 0 : Cumulative[i - 1];
        var inBucket = Cumulative[i] - below;
        return inBucket <= 0 ? Bounds[i] : lower + ((Bounds[i] - lower) * (rank - below) / inBucket);
    }

    /// <summary>The bounds as the server wrote them, for messages.</summary>
    public override string ToString() => string.Join(", ", Bounds.Select(b => b.ToString(CultureInfo.InvariantCulture)));
}
