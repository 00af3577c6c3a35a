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

        double P(double p)
        {
            // The extreme ranks are known exactly; only interior ranks need the histogram.
            var rank = Math.Ceiling(p / 100.0 * Count);
            return rank >= Count ? _max : rank <= 1 ? _min : Math.Clamp(_micros.ValueAtPercentile(p) / 1000.0, _min, _max);
        }

        return new DistributionSummary(Count, _mean, _min, _max, Math.Sqrt(_m2 / Count), P(50), P(90), P(95), P(99), P(99.9)) { Histogram = _micros.Snapshot() };
    }
}
