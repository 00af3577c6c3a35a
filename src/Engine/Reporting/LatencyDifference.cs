namespace GuidellmFunctions.Engine.Reporting;

/// <summary>
/// The client's statistic minus the server's, in milliseconds. The mean difference is exact; the percentile differences
/// carry the server histogram's bucket resolution.
/// </summary>
/// <param name="Mean">Client mean − server mean.</param>
/// <param name="P50">Client p50 − server p50.</param>
/// <param name="P95">Client p95 − server p95.</param>
public sealed record LatencyDifference(double Mean, double? P50, double? P95);
