namespace GuidellmFunctions.Engine.Reporting;

/// <summary>A distribution of lateness in milliseconds.</summary>
/// <param name="Samples">Samples taken.</param>
/// <param name="P50">Median.</param>
/// <param name="P95">95th percentile.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="Max">Largest.</param>
public sealed record LagSummary(long Samples, double P50, double P95, double P99, double Max);
