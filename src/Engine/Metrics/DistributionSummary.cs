namespace GuidellmFunctions.Engine.Metrics;

/// <summary>Statistics of one measured quantity, in milliseconds.</summary>
/// <param name="Count">Observations.</param>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="Min">Smallest observation.</param>
/// <param name="Max">Largest observation.</param>
/// <param name="StdDev">Population standard deviation.</param>
/// <param name="P50">Median.</param>
/// <param name="P90">90th percentile.</param>
/// <param name="P95">95th percentile.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="P999">99.9th percentile.</param>
public sealed record DistributionSummary(long Count, double Mean, double Min, double Max, double StdDev, double P50, double P90, double P95, double P99, double P999)
{
    /// <summary>The summary of no observations (all zero).</summary>
    public static DistributionSummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>
    /// The buckets the percentiles were read from (microseconds), exact and mergeable: the statistics of several stages
    /// or shards combine by adding these counts. Null when there were no observations, and in reports written before it.
    /// </summary>
    public HistogramSnapshot? Histogram { get; init; }
}
