namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>A metric a verdict compares: a latency quantile, or output token throughput.</summary>
/// <param name="Name">Its name in the report and in the <c>metric</c> label.</param>
/// <param name="Latency">The latency metric (<see cref="BlockedSample.Ttft"/>, ...); null for throughput.</param>
/// <param name="Quantile">The quantile of a latency metric (0.5, 0.95).</param>
internal sealed record VerdictMetricDefinition(string Name, int? Latency, double Quantile)
{
    /// <summary>Every metric, in report order: the median and p95 of TTFT, TPOT and E2E latency, then output tokens per second.</summary>
    public static IReadOnlyList<VerdictMetricDefinition> All { get; } =
    [
        new("ttft_p50_ms", BlockedSample.Ttft, 0.50),
        new("ttft_p95_ms", BlockedSample.Ttft, 0.95),
        new("tpot_p50_ms", BlockedSample.Tpot, 0.50),
        new("tpot_p95_ms", BlockedSample.Tpot, 0.95),
        new("e2e_p50_ms", BlockedSample.E2e, 0.50),
        new("e2e_p95_ms", BlockedSample.E2e, 0.95),
        new("output_tokens_per_second", null, 0),
    ];

    /// <summary>True for throughput, where a fall is the regression.</summary>
    public bool HigherIsBetter => Latency is null;

    /// <summary>
    /// Values a run needs for this metric to be compared: <see cref="VerdictJudge.MinimumObservations"/> on the short side
    /// of its quantile (40 for a median, 400 for a p95); none for throughput. A tail quantile read from a handful of values
    /// beyond it rests on whichever stalls the run happened to meet, and a bootstrap of it is too narrow.
    /// </summary>
    public int MinimumCount => Latency is null ? 0 : (int)Math.Ceiling(VerdictJudge.MinimumObservations / Math.Min(Quantile, 1 - Quantile) - 1e-9);
}
