namespace GuidellmFunctions.Engine.Export;

/// <summary>Where <see cref="RequestMetrics.Record"/> puts a finished request's contributions to the runner's series.</summary>
public interface IRequestMetricsSink
{
    /// <summary>Adds <paramref name="amount"/> to the counter <paramref name="family"/> (with its <c>reason</c> label when given).</summary>
    void Add(MetricFamily family, double amount, string? reason = null);

    /// <summary>Records one observation, in seconds, in the histogram <paramref name="family"/>.</summary>
    void Observe(MetricFamily family, double seconds);
}
