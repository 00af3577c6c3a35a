namespace GuidellmFunctions.Engine.Export;

/// <summary>The series contract: names drop-in compatible with the Go runner, histograms of real observations.</summary>
public static class RunnerMetrics
{
    /// <summary>Requests sent in measured windows.</summary>
    public static readonly MetricFamily RequestsTotal = new("guidellm_requests_total", MetricKind.Counter, "Requests sent (measured window; incomplete included).");

    /// <summary>Successful requests.</summary>
    public static readonly MetricFamily RequestsSuccessful = new("guidellm_requests_successful_total", MetricKind.Counter, "Requests that streamed to a clean end with HTTP 2xx.");

    /// <summary>Failed requests by reason.</summary>
    public static readonly MetricFamily RequestsFailed = new("guidellm_requests_failed_total", MetricKind.Counter, "Failed requests, by reason.");

    /// <summary>Prompt tokens of successful requests.</summary>
    public static readonly MetricFamily PromptTokens = new("guidellm_prompt_tokens_total", MetricKind.Counter, "Prompt tokens of successful requests.");

    /// <summary>Output tokens of successful requests.</summary>
    public static readonly MetricFamily OutputTokens = new("guidellm_output_tokens_total", MetricKind.Counter, "Output tokens of successful requests.");

    /// <summary>Completed runs.</summary>
    public static readonly MetricFamily RunsTotal = new("guidellm_benchmark_runs_total", MetricKind.Counter, "Benchmark runs finished.");

    /// <summary>Failed runs.</summary>
    public static readonly MetricFamily RunsFailed = new("guidellm_benchmark_runs_failed_total", MetricKind.Counter, "Benchmark runs that failed or were cancelled.");

    /// <summary>Time to first token.</summary>
    public static readonly MetricFamily Ttft = new("guidellm_ttft_seconds", MetricKind.Histogram, "Time to first token of successful requests.", BucketLayouts.FirstToken);

    /// <summary>Inter-token latency.</summary>
    public static readonly MetricFamily Itl = new("guidellm_itl_seconds", MetricKind.Histogram, "Gaps between consecutive content chunks of successful requests.", BucketLayouts.TokenGap);

    /// <summary>End-to-end latency.</summary>
    public static readonly MetricFamily E2e = new("guidellm_e2e_latency_seconds", MetricKind.Histogram, "End-to-end latency of successful requests.", BucketLayouts.Request);

    /// <summary>Time per output token.</summary>
    public static readonly MetricFamily Tpot = new("guidellm_tpot_seconds", MetricKind.Histogram, "Time per output token after the first, per successful request.", BucketLayouts.TokenGap);

    /// <summary>Dispatch delay.</summary>
    public static readonly MetricFamily DispatchDelay = new("guidellm_dispatch_delay_seconds", MetricKind.Histogram, "Sent minus scheduled time of every request (generator lateness).", BucketLayouts.DispatchDelay);

    /// <summary>Time to first output (the first answer chunk after any reasoning).</summary>
    public static readonly MetricFamily Ttfo = new("guidellm_ttfo_seconds", MetricKind.Histogram, "Time to the first answer chunk (after any reasoning) of successful requests.", BucketLayouts.FirstToken);

    /// <summary>Reasoning tokens the server reported.</summary>
    public static readonly MetricFamily ReasoningTokens = new("guidellm_reasoning_tokens_total", MetricKind.Counter, "Reasoning tokens of successful requests (usage.completion_tokens_details.reasoning_tokens), part of the output tokens.");

    /// <summary>Whether the runner's last stage was valid.</summary>
    public static readonly MetricFamily StageValid = new("guidellm_stage_valid", MetricKind.Gauge, "1 when the last finished stage was valid, 0 when the runner itself may have limited what it measured (see the report's validity).");

    /// <summary>Output token throughput.</summary>
    public static readonly MetricFamily OutputTokensPerSecond = new("guidellm_output_tokens_per_second", MetricKind.Gauge, "Output tokens per second of successful requests over the last push interval.");

    /// <summary>Request throughput.</summary>
    public static readonly MetricFamily RequestsPerSecond = new("guidellm_requests_per_second", MetricKind.Gauge, "Successful requests per second over the last push interval.");

    /// <summary>Last successful run.</summary>
    public static readonly MetricFamily LastBenchmarkTimestamp = new("guidellm_last_benchmark_timestamp", MetricKind.Gauge, "Unix time of the end of the last successful run.");

    /// <summary>Requests in flight.</summary>
    public static readonly MetricFamily InFlight = new("guidellm_in_flight_requests", MetricKind.Gauge, "Requests in flight.");

    /// <summary>Requests held to the target's SLO.</summary>
    public static readonly MetricFamily SloEvaluated = new("guidellm_slo_requests_evaluated_total", MetricKind.Counter, "Requests of measured windows held to the target's SLO (successful and failed; incomplete ones are not).");

    /// <summary>Requests within the target's SLO.</summary>
    public static readonly MetricFamily SloConforming = new("guidellm_slo_requests_conforming_total", MetricKind.Counter, "Successful requests within every objective of the target's SLO.");

    /// <summary>The SLO's attainment target.</summary>
    public static readonly MetricFamily SloAttainmentTarget = new("guidellm_slo_attainment_target", MetricKind.Gauge, "The share of requests the target's SLO must hold for (its attainment); 1 minus it is the error budget.");

    /// <summary>Capacity under the SLO.</summary>
    public static readonly MetricFamily Capacity = new("guidellm_capacity", MetricKind.Gauge, "The highest load whose stage met the SLO in the run's capacity search (label by: concurrency in streams, rate in requests/s); 0 when even the first probe failed.") { Label = "by" };

    /// <summary>A verdict metric's change.</summary>
    public static readonly MetricFamily VerdictChange = new("guidellm_verdict_change_ratio", MetricKind.Gauge, "A verdict metric's relative change against the baseline run: current / baseline - 1.") { Label = "metric" };

    /// <summary>A verdict metric's result.</summary>
    public static readonly MetricFamily VerdictResult = new("guidellm_verdict_result", MetricKind.Gauge, "A verdict metric's result against the baseline run: 1 regressed, 0 unchanged, -1 improved.") { Label = "metric" };

    /// <summary>Every family.</summary>
    public static IReadOnlyList<MetricFamily> All { get; } =
    [
        RequestsTotal, RequestsSuccessful, RequestsFailed, PromptTokens, OutputTokens, RunsTotal, RunsFailed,
        Ttft, Itl, E2e, Tpot, DispatchDelay, OutputTokensPerSecond, RequestsPerSecond, LastBenchmarkTimestamp, InFlight,
        Ttfo, ReasoningTokens, StageValid,
        SloEvaluated, SloConforming, SloAttainmentTarget, Capacity, VerdictChange, VerdictResult,
    ];
}
