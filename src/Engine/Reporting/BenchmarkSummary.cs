using GuidellmFunctions.Engine.Metrics;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>The measured results of one load stage (see docs/metrics.md for every definition).</summary>
public sealed record BenchmarkSummary
{
    /// <summary>Request counts.</summary>
    public required RequestCounts Requests { get; init; }

    /// <summary>Failed requests by reason (<c>http_4xx</c>, <c>timeout</c>, ...).</summary>
    public required IReadOnlyDictionary<string, long> Errors { get; init; }

    /// <summary>
    /// The first failure message of each reason in <see cref="Errors"/>, warmup and cooldown included (the server's own words
    /// for HTTP errors, the socket's for connection failures; secrets masked, at most 512 characters).
    /// </summary>
    public IReadOnlyDictionary<string, string> ErrorMessages { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Token totals.</summary>
    public required TokenCounts Tokens { get; init; }

    /// <summary>Time to first token of successful requests.</summary>
    public required DistributionSummary TtftMs { get; init; }

    /// <summary>Time to first output token (the first answer content after any reasoning) of successful requests.</summary>
    public DistributionSummary TtfoMs { get; init; } = DistributionSummary.Empty;

    /// <summary>Every gap between consecutive content chunks of successful requests.</summary>
    public required DistributionSummary ItlMs { get; init; }

    /// <summary>Time per output token after the first, per successful request.</summary>
    public required DistributionSummary TpotMs { get; init; }

    /// <summary>End-to-end latency of successful requests.</summary>
    public required DistributionSummary E2eLatencyMs { get; init; }

    /// <summary>Sent − scheduled, for every request sent in the window.</summary>
    public required DistributionSummary DispatchDelayMs { get; init; }

    /// <summary>
    /// Connect time (TCP, a proxy's tunnel, TLS) of the requests in the window that opened their own connection; its
    /// count is how many did. Part of their TTFT.
    /// </summary>
    public DistributionSummary ConnectMs { get; init; } = DistributionSummary.Empty;

    /// <summary>Rates over the window.</summary>
    public required ThroughputSummary Throughput { get; init; }

    /// <summary>Requests in flight over the window.</summary>
    public required ConcurrencySummary Concurrency { get; init; }

    /// <summary>The stage against the target's <c>slo</c>; null when none is set.</summary>
    public SloSummary? Slo { get; init; }

    /// <summary>Statistics per turn index of multi-turn conversations; null when the stage sent none.</summary>
    public IReadOnlyList<TurnSummary>? Turns { get; init; }
}
