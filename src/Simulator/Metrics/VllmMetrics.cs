using System.Globalization;
using System.Text;
using GuidellmFunctions.Simulator.Scheduling;

namespace GuidellmFunctions.Simulator.Metrics;

/// <summary>
/// What a vLLM server exposes on <c>/metrics</c>, observed by the simulator's engine as vLLM's engine observes it (per
/// step, per token, per finished request), under the names, labels and bucket layouts of the vLLM chosen by
/// <see cref="MetricsNaming"/>, so dashboards and scrapers built for vLLM work against the simulator unchanged.
/// </summary>
public sealed class VllmMetrics
{
    // vLLM v1 (vllm/v1/metrics/loggers.py).
    private static readonly double[] TtftBounds = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0];
    private static readonly double[] ItlBounds = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
    private static readonly double[] LatencyBounds = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];
    private static readonly double[] IterationBounds = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];

    // vLLM v0 (vllm/engine/metrics.py, 0.6).
    private static readonly double[] LegacyTtftBounds = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
    private static readonly double[] LegacyTpotBounds = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];
    private static readonly double[] LegacyLatencyBounds = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0];
    private static readonly double[] LegacyIterationBounds = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8096];

    private readonly MetricsNaming _naming;
    private readonly string _labels;
    private readonly string _cacheInfo;
    private readonly PromHistogram _ttft;
    private readonly PromHistogram _itl;
    private readonly PromHistogram? _requestTpot;
    private readonly PromHistogram _e2e;
    private readonly PromHistogram _queue;
    private readonly PromHistogram _inference;
    private readonly PromHistogram _prefill;
    private readonly PromHistogram _decode;
    private readonly PromHistogram _promptTokensRequest;
    private readonly PromHistogram _generationTokensRequest;
    private readonly PromHistogram _iterationTokens;
    private readonly ThroughputWindow? _promptThroughput;
    private readonly ThroughputWindow? _generationThroughput;
    private long _running;
    private long _waiting;
    private long _kvUsageBits;
    private long _promptTokens;
    private long _generationTokens;
    private long _preemptions;
    private long _prefixQueries;
    private long _prefixHits;
    private long _successStop;
    private long _successLength;
    private long _aborted;

    internal VllmMetrics(SimulatorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _naming = options.MetricsNames;
        var model = $"model_name=\"{PromText.Label(options.Model)}\"";
        _labels = _naming == MetricsNaming.V1 ? model + ",engine=\"0\"" : model;
        var legacy = _naming == MetricsNaming.Legacy;
        var tokenBounds = OneTwoFive(options.EffectiveMaxModelLen);
        var latency = legacy ? LegacyLatencyBounds : LatencyBounds;
        _ttft = new("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", legacy ? LegacyTtftBounds : TtftBounds);
        _itl = legacy
            ? new("vllm:time_per_output_token_seconds", "Histogram of time per output token in seconds.", LegacyTpotBounds)
            : new("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", ItlBounds);
        _requestTpot = legacy ? null : new("vllm:request_time_per_output_token_seconds", "Histogram of time_per_output_token_seconds per request.", ItlBounds);
        _e2e = new("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", latency);
        _queue = new("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", latency);
        _inference = new("vllm:request_inference_time_seconds", "Histogram of time spent in RUNNING phase for request.", latency);
        _prefill = new("vllm:request_prefill_time_seconds", "Histogram of time spent in PREFILL phase for request.", latency);
        _decode = new("vllm:request_decode_time_seconds", "Histogram of time spent in DECODE phase for request.", latency);
        _promptTokensRequest = new("vllm:request_prompt_tokens", "Number of prefill tokens processed.", tokenBounds);
        _generationTokensRequest = new("vllm:request_generation_tokens", "Number of generation tokens processed.", tokenBounds);
        _iterationTokens = new("vllm:iteration_tokens_total", "Histogram of number of tokens per engine_step.", legacy ? LegacyIterationBounds : IterationBounds);
        if (legacy)
        {
            _promptThroughput = new ThroughputWindow(time);
            _generationThroughput = new ThroughputWindow(time);
        }

        _cacheInfo = string.Create(CultureInfo.InvariantCulture,
            $"block_size=\"{options.BlockSize}\",cache_dtype=\"auto\",enable_prefix_caching=\"{(options.PrefixCaching && options.KvCacheBlocks > 0 ? "True" : "False")}\",gpu_memory_utilization=\"0.9\",num_gpu_blocks=\"{options.KvCacheBlocks}\"{(legacy ? string.Empty : ",engine=\"0\"")}");
    }

    /// <summary>Requests in the running batch.</summary>
    public long Running => Interlocked.Read(ref _running);

    /// <summary>Requests in the waiting queue (new, or preempted).</summary>
    public long Waiting => Interlocked.Read(ref _waiting);

    /// <summary>Share of KV blocks in use, 0–1 (0 without a KV limit).</summary>
    public double KvCacheUsage => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _kvUsageBits));

    /// <summary>Preemptions since start.</summary>
    public long Preemptions => Interlocked.Read(ref _preemptions);

    /// <summary>Prompt tokens looked up in the prefix cache since start.</summary>
    public long PrefixCacheQueries => Interlocked.Read(ref _prefixQueries);

    /// <summary>Prompt tokens found in the prefix cache since start.</summary>
    public long PrefixCacheHits => Interlocked.Read(ref _prefixHits);

    /// <summary>Prompt tokens of requests whose prefill completed.</summary>
    public long PromptTokens => Interlocked.Read(ref _promptTokens);

    /// <summary>Tokens generated.</summary>
    public long GenerationTokens => Interlocked.Read(ref _generationTokens);

    /// <summary>The Prometheus text exposition.</summary>
    public string Render()
    {
        var text = new StringBuilder(16384);
        var legacy = _naming == MetricsNaming.Legacy;
        Gauge(text, "vllm:num_requests_running", legacy ? "Number of requests currently running on GPU." : "Number of requests in model execution batches.", Running);
        Gauge(text, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", Waiting);
        if (legacy)
        {
            Gauge(text, "vllm:num_requests_swapped", "Number of requests swapped to CPU.", 0);
            Gauge(text, "vllm:gpu_cache_usage_perc", "GPU KV-cache usage. 1 means 100 percent usage.", KvCacheUsage);
            Gauge(text, "vllm:gpu_prefix_cache_hit_rate", "GPU prefix cache block hit rate.", PrefixCacheQueries == 0 ? 0 : PrefixCacheHits / (double)PrefixCacheQueries);
            Gauge(text, "vllm:avg_prompt_throughput_toks_per_s", "Average prefill throughput in tokens/s.", _promptThroughput!.PerSecond());
            Gauge(text, "vllm:avg_generation_throughput_toks_per_s", "Average generation throughput in tokens/s.", _generationThroughput!.PerSecond());
        }
        else
        {
            Gauge(text, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", KvCacheUsage);
            Counter(text, "vllm:prefix_cache_queries_total", "Prefix cache queries, in terms of number of queried tokens.", PrefixCacheQueries);
            Counter(text, "vllm:prefix_cache_hits_total", "Prefix cache hits, in terms of number of cached tokens.", PrefixCacheHits);
        }

        Counter(text, "vllm:num_preemptions_total", "Cumulative number of preemption from the engine.", Preemptions);
        Counter(text, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", PromptTokens);
        Counter(text, "vllm:generation_tokens_total", "Number of generation tokens processed.", GenerationTokens);
        text.Append("# HELP vllm:request_success_total Count of successfully processed requests.\n# TYPE vllm:request_success_total counter\n");
        foreach (var (reason, count) in (ReadOnlySpan<(string, long)>)[("stop", Interlocked.Read(ref _successStop)), ("length", Interlocked.Read(ref _successLength)), ("abort", Interlocked.Read(ref _aborted))])
        {
            text.Append(CultureInfo.InvariantCulture, $"vllm:request_success_total{{{_labels},finished_reason=\"{reason}\"}} {PromText.Number(count)}\n");
        }

        _iterationTokens.Write(text, _labels);
        _ttft.Write(text, _labels);
        _itl.Write(text, _labels);
        _requestTpot?.Write(text, _labels);
        _e2e.Write(text, _labels);
        _queue.Write(text, _labels);
        _inference.Write(text, _labels);
        _prefill.Write(text, _labels);
        _decode.Write(text, _labels);
        _promptTokensRequest.Write(text, _labels);
        _generationTokensRequest.Write(text, _labels);
        text.Append("# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig\n# TYPE vllm:cache_config_info gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"vllm:cache_config_info{{{_cacheInfo}}} 1.0\n");
        return text.ToString();
    }

    internal void SetState(int running, int waiting, double kvUsage)
    {
        Interlocked.Exchange(ref _running, running);
        Interlocked.Exchange(ref _waiting, waiting);
        Interlocked.Exchange(ref _kvUsageBits, BitConverter.DoubleToInt64Bits(kvUsage));
    }

    internal void Admitted(double queueSeconds, int queriedTokens, int cachedTokens, bool prefixCaching)
    {
        _queue.Observe(queueSeconds);
        if (prefixCaching)
        {
            Interlocked.Add(ref _prefixQueries, queriedTokens);
            Interlocked.Add(ref _prefixHits, cachedTokens);
        }
    }

    internal void Preempted() => Interlocked.Increment(ref _preemptions);

    internal void Step(long tokens) => _iterationTokens.Observe(tokens);

    internal void FirstToken(double ttftSeconds, int promptTokens)
    {
        _ttft.Observe(ttftSeconds);
        Interlocked.Add(ref _promptTokens, promptTokens);
        _promptThroughput?.Add(promptTokens);
    }

    internal void Generated(int tokens, double gapSeconds)
    {
        Interlocked.Add(ref _generationTokens, tokens);
        _generationThroughput?.Add(tokens);
        if (gapSeconds >= 0)
        {
            _itl.Observe(gapSeconds);
        }
    }

    internal void Finished(FinishReason reason, double e2e, double prefill, double decode, int promptTokens, int generated)
    {
        Interlocked.Increment(ref reason == FinishReason.Length ? ref _successLength : ref _successStop);
        _e2e.Observe(e2e);
        _inference.Observe(prefill + decode);
        _prefill.Observe(prefill);
        _decode.Observe(decode);
        _promptTokensRequest.Observe(promptTokens);
        _generationTokensRequest.Observe(generated);
        if (generated > 1)
        {
            _requestTpot?.Observe(decode / (generated - 1));
        }
    }

    internal void Aborted() => Interlocked.Increment(ref _aborted);

    private static double[] OneTwoFive(int max)
    {
        var bounds = new List<double>();
        for (long scale = 1; ; scale *= 10)
        {
            foreach (var mantissa in (ReadOnlySpan<long>)[1, 2, 5])
            {
                if (mantissa * scale > max)
                {
                    return [.. bounds];
                }

                bounds.Add(mantissa * scale);
            }
        }
    }

    private void Gauge(StringBuilder text, string name, string help, double value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n{name}{{{_labels}}} {PromText.Number(value)}\n");

    private void Counter(StringBuilder text, string name, string help, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name}{{{_labels}}} {PromText.Number(value)}\n");
}
