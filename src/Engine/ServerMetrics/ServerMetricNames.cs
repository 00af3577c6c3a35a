namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>
/// The names each figure of <c>benchmarks[].server</c> is read under, preferred first: vLLM's current (v1 engine) and
/// older (v0, and 0.9–0.10's deprecated) names, SGLang's and TGI's where they have one, DCGM's GPU fields.
/// </summary>
internal static class ServerMetricNames
{
    /// <summary>Finished requests (counters). vLLM's carry <c>finished_reason</c>; aborted ones are left out.</summary>
    public static readonly string[] Requests = ["vllm:request_success_total", "sglang:num_requests_total", "tgi_request_success"];

    /// <summary>Prompt tokens processed (counters).</summary>
    public static readonly string[] PromptTokens = ["vllm:prompt_tokens_total", "sglang:prompt_tokens_total"];

    /// <summary>Output tokens generated (counters).</summary>
    public static readonly string[] OutputTokens = ["vllm:generation_tokens_total", "sglang:generation_tokens_total"];

    /// <summary>TGI has no token counters: the sums of its per-request length histograms stand in.</summary>
    public const string TgiPromptTokensHistogram = "tgi_request_input_length";

    /// <summary>The histogram of generated tokens per request whose sum is TGI's output tokens.</summary>
    public const string TgiOutputTokensHistogram = "tgi_request_generated_tokens";

    /// <summary>Time to first token (histograms, seconds). TGI has none.</summary>
    public static readonly string[] Ttft = ["vllm:time_to_first_token_seconds", "sglang:time_to_first_token_seconds"];

    /// <summary>End-to-end latency (histograms, seconds).</summary>
    public static readonly string[] E2e = ["vllm:e2e_request_latency_seconds", "sglang:e2e_request_latency_seconds", "tgi_request_duration"];

    /// <summary>
    /// Inter-token latency (histograms, seconds): vLLM 0.11+ names it <c>inter_token_latency_seconds</c>; before that the
    /// same gaps were <c>time_per_output_token_seconds</c>. TGI only has each request's mean time per token.
    /// </summary>
    public static readonly string[] Itl =
    [
        "vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds", "sglang:inter_token_latency_seconds",
        "sglang:time_per_output_token_seconds", "tgi_request_mean_time_per_token_duration",
    ];

    /// <summary>Time in the server's queue (histograms, seconds).</summary>
    public static readonly string[] QueueTime = ["vllm:request_queue_time_seconds", "sglang:queue_time_seconds", "tgi_request_queue_duration"];

    /// <summary>Prefix cache hits and queries (counters, in tokens): vLLM v1, vLLM 0.9–0.10's deprecated pair, SGLang's cached over prompt tokens.</summary>
    public static readonly (string Hits, string Queries)[] PrefixCacheCounters =
    [
        ("vllm:prefix_cache_hits_total", "vllm:prefix_cache_queries_total"),
        ("vllm:gpu_prefix_cache_hits_total", "vllm:gpu_prefix_cache_queries_total"),
        ("sglang:cached_tokens_total", "sglang:prompt_tokens_total"),
    ];

    /// <summary>Hit-rate gauges of servers without the counters (vLLM v0, SGLang); the value at the stage's end.</summary>
    public static readonly string[] PrefixCacheHitRateGauges = ["vllm:gpu_prefix_cache_hit_rate", "sglang:cache_hit_rate"];

    /// <summary>KV-cache usage, 0–1 (gauges; the largest series).</summary>
    public static readonly string[] KvCacheUsage = ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc", "sglang:token_usage"];

    /// <summary>Requests running (gauges; summed over series, so data-parallel engines add up).</summary>
    public static readonly string[] Running = ["vllm:num_requests_running", "sglang:num_running_reqs", "tgi_batch_current_size"];

    /// <summary>Requests waiting (gauges; summed over series).</summary>
    public static readonly string[] Waiting = ["vllm:num_requests_waiting", "sglang:num_queue_reqs", "tgi_queue_size"];

    /// <summary>Preemptions (counters): vLLM's; SGLang calls them retractions.</summary>
    public static readonly string[] Preemptions = ["vllm:num_preemptions_total", "sglang:num_retracted_requests_total"];

    /// <summary>DCGM: GPU utilisation in percent (gauge).</summary>
    public const string GpuUtilization = "DCGM_FI_DEV_GPU_UTIL";

    /// <summary>DCGM: power draw in watts (gauge).</summary>
    public const string GpuPower = "DCGM_FI_DEV_POWER_USAGE";

    /// <summary>DCGM: energy since the driver loaded, in millijoules (counter).</summary>
    public const string GpuEnergy = "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION";

    /// <summary>The gauges whose peaks are tracked over a stage.</summary>
    public static IEnumerable<string> Gauges => [.. KvCacheUsage, .. Running, .. Waiting];

    /// <summary>Every server series name a reading needs (histogram families with their suffixes), for narrow queries.</summary>
    public static IReadOnlyList<string> ServerSeries { get; } =
    [
        .. Requests, .. PromptTokens, .. OutputTokens, .. PrefixCacheCounters.SelectMany(p => (string[])[p.Hits, p.Queries]),
        .. PrefixCacheHitRateGauges, .. Gauges, .. Preemptions,
        .. ((string[])[.. Ttft, .. E2e, .. Itl, .. QueueTime, TgiPromptTokensHistogram, TgiOutputTokensHistogram])
            .SelectMany(h => (string[])[h + "_bucket", h + "_sum", h + "_count"]),
    ];

    /// <summary>True for the names a server reading keeps (the rest of an exposition is skipped).</summary>
    public static bool IsServerName(string name) =>
        name.StartsWith("vllm:", StringComparison.Ordinal) || name.StartsWith("sglang:", StringComparison.Ordinal)
        || name.StartsWith("tgi_", StringComparison.Ordinal);

    /// <summary>The first of <paramref name="names"/> <paramref name="snapshot"/> holds, or null.</summary>
    public static string? First(MetricSnapshot snapshot, IEnumerable<string> names) => names.FirstOrDefault(snapshot.Has);

    /// <summary>The first histogram family of <paramref name="families"/> <paramref name="snapshot"/> holds, or null.</summary>
    public static string? FirstHistogram(MetricSnapshot snapshot, IEnumerable<string> families) => families.FirstOrDefault(f => snapshot.Has(f + "_bucket"));

    /// <summary>Whose names <paramref name="snapshot"/> uses.</summary>
    public static string Dialect(MetricSnapshot snapshot)
    {
        var names = snapshot.Names.ToList();
        return names.Any(n => n.StartsWith("vllm:", StringComparison.Ordinal)) ? "vllm"
            : names.Any(n => n.StartsWith("sglang:", StringComparison.Ordinal)) ? "sglang"
            : names.Any(n => n.StartsWith("tgi_", StringComparison.Ordinal)) ? "tgi"
            : "unknown";
    }
}
