namespace GuidellmFunctions.Simulator.Metrics;

/// <summary>Which vLLM's metric names the simulator serves on <c>/metrics</c>.</summary>
public enum MetricsNaming
{
    /// <summary>
    /// The current vLLM (v1 engine, 0.11 and later): <c>vllm:kv_cache_usage_perc</c>, <c>vllm:prefix_cache_queries_total</c>
    /// and <c>_hits_total</c>, <c>vllm:inter_token_latency_seconds</c>, labels <c>model_name</c> and <c>engine</c>.
    /// </summary>
    V1,

    /// <summary>
    /// The v0 engine's (0.6 to 0.8): <c>vllm:gpu_cache_usage_perc</c>, <c>vllm:gpu_prefix_cache_hit_rate</c>,
    /// <c>vllm:time_per_output_token_seconds</c> for the gaps between tokens, the label <c>model_name</c> only.
    /// </summary>
    Legacy,
}
