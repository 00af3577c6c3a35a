namespace GuidellmFunctions.Engine.Metrics;

/// <summary>
/// Accumulates a distribution of durations in bounded memory: exact count, mean, min, max and standard deviation
/// (Welford), percentiles from a <see cref="LogLinearHistogram"/> at microsecond resolution (within 0.1%).
/// Not thread-safe.
/// </summary>
public sealed class Distribution
{
    private readonly LogLinearHistogram _micros = new();
    private double _mean;
    private double _m2;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    /// <summary>Observations recorded.</summary>
    public long Count { get; private set; }

    /// <summary>Sum of all observations, in milliseconds.</summary>
    public double Sum { get; private set; }

    /// <summary>Records one duration in milliseconds; NaN and infinities are ignored.</summary>
    public void Record(double milliseconds)
    {
        if (!double.IsFinite(milliseconds))
        {
            return;
        }

        Count++;
        Sum += milliseconds;
        var delta = milliseconds - _mean;
        _mean += delta / Count;
        _m2 += delta * (milliseconds - _mean);
        _min = Math.Min(_min, milliseconds);
        _max = Math.Max(_max, milliseconds);
        _micros.Record((long)Math.Round(milliseconds * 1000.0));
    }

    /// <summary>The statistics so far.</summary>
    public DistributionSummary Summarize()
    {
        if (Count == 0)
        {
            return DistributionSummary.Empty;
        }

        return Summarize(_micros, Count, _mean, _min, _max, Math.Sqrt(_m2 / Count));
    }

    /// <summary>
    /// The statistics of the union of the observations behind <paramref name="parts"/> (the shards of one stage): counts,
    /// mean, min, max and standard deviation combined exactly, percentiles read from the sum of their histograms the way
    /// <see cref="Summarize()"/> reads them, so they equal the percentiles of one distribution fed every observation.
    /// </summary>
    /// <exception cref="FormatException">A part with observations carries no histogram (a report written before them).</exception>
    internal static DistributionSummary Merge(IEnumerable<DistributionSummary> parts)
    {
        var nonEmpty = parts.Where(p => p.Count > 0).ToList();
        if (nonEmpty.Count == 0)
        {
            return DistributionSummary.Empty;
        }

        var micros = new LogLinearHistogram();
        long count = 0;
        double mean = 0, m2 = 0;
        foreach (var part in nonEmpty)
        {
            micros.Add(LogLinearHistogram.FromSnapshot(part.Histogram ?? throw new FormatException("a statistic with observations carries no histogram to merge")));

            // Chan et al.'s pairwise update: the combined mean and sum of squared deviations from each part's own.
            var total = count + part.Count;
            var delta = part.Mean - mean;
            m2 += (part.StdDev * part.StdDev * part.Count) + (delta * delta * count * part.Count / total);
            mean += delta * part.Count / total;
            count = total;
        }

        return Summarize(micros, count, mean, nonEmpty.Min(p => p.Min), nonEmpty.Max(p => p.Max), Math.Sqrt(m2 / count));
    }

    private static DistributionSummary Summarize(LogLinearHistogram micros, long count, double mean, double min, double max, double stdDev)
    {
        double P(double p)
        {
            // The extreme ranks are known exactly; only interior ranks need the histogram.
            var rank = Math.Ceiling(p / 100.0 * count);
            return rank >= count ? max : rank <= 1 ? min : Math.Clamp(micros.ValueAtPercentile(p) / 1000.0, min, max);
        }

        return new DistributionSummary(count, mean, min, max, stdDev, P(50), P(90), P(95), P(99), P(99.9)) { Histogram = micros.Snapshot() };
    }
}
