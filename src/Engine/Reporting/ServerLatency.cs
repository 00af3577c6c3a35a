namespace GuidellmFunctions.Engine.Reporting;

/// <summary>
/// One of the server's latency histograms over a stage, in milliseconds: the mean from its sum and count (exact), the
/// percentiles interpolated inside its buckets as PromQL's <c>histogram_quantile</c> does (as coarse as its buckets).
/// </summary>
/// <param name="Metric">The server's histogram the figures come from (<c>vllm:time_to_first_token_seconds</c>).</param>
/// <param name="Count">Observations over the stage.</param>
/// <param name="Mean">Mean; null when the server gives no sum.</param>
/// <param name="P50">Median.</param>
/// <param name="P90">90th percentile.</param>
/// <param name="P95">95th percentile.</param>
/// <param name="P99">99th percentile.</param>
public sealed record ServerLatency(string Metric, long Count, double? Mean, double? P50, double? P90, double? P95, double? P99);
