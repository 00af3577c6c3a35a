using System.Globalization;
using System.Text;

namespace GuidellmFunctions.Simulator.Metrics;

/// <summary>
/// The server-side metrics a vLLM server exposes on <c>/metrics</c>, under vLLM's names and its <c>model_name</c> label,
/// so dashboards built for vLLM work against the simulator unchanged.
/// </summary>
public sealed class VllmMetrics
{
    private static readonly double[] TtftBounds = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
    private static readonly double[] ItlBounds = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
    private static readonly double[] E2eBounds = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0];

    private readonly string _labels;
    private readonly int _maxBatch;
    private readonly PromHistogram _ttft = new("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", TtftBounds);
    private readonly PromHistogram _itl = new("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", ItlBounds);
    private readonly PromHistogram _tpot = new("vllm:time_per_output_token_seconds", "Histogram of time per output token in seconds.", ItlBounds);
    private readonly PromHistogram _e2e = new("vllm:e2e_request_latency_seconds", "Histogram of end to end request latency in seconds.", E2eBounds);
    private readonly PromHistogram _queue = new("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", E2eBounds);
    private readonly long[] _slotCounts = new long[10];
    private readonly long[] _slotSeconds = new long[10];
    private readonly Lock _throughputLock = new();
    private long _running;
    private long _waiting;
    private long _promptTokens;
    private long _generationTokens;
    private long _successLength;
    private long _successStop;
    private long _aborted;

    /// <summary>Creates the metrics for <paramref name="model"/>.</summary>
    public VllmMetrics(string model, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(model);
        _labels = $"model_name=\"{model.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
        _maxBatch = Math.Max(1, maxBatch);
    }

    /// <summary>Requests decoding now.</summary>
    public long Running => Interlocked.Read(ref _running);

    /// <summary>Requests waiting for a batch slot.</summary>
    public long Waiting => Interlocked.Read(ref _waiting);

    internal void Queued() => Interlocked.Increment(ref _waiting);

    internal void Admitted(double queueSeconds)
    {
        Interlocked.Decrement(ref _waiting);
        Interlocked.Increment(ref _running);
        _queue.Observe(queueSeconds);
    }

    internal void LeftQueue() => Interlocked.Decrement(ref _waiting);

    internal void Finished(int promptTokens, int outputTokens, double ttft, double e2e, double tpot, bool byLength, bool aborted)
    {
        Interlocked.Decrement(ref _running);
        Interlocked.Add(ref _promptTokens, promptTokens);
        if (aborted)
        {
            Interlocked.Increment(ref _aborted);
            return;
        }

        Interlocked.Increment(ref byLength ? ref _successLength : ref _successStop);
        if (ttft > 0)
        {
            _ttft.Observe(ttft);
        }

        _e2e.Observe(e2e);
        if (tpot > 0)
        {
            _tpot.Observe(tpot);
        }
    }

    internal void Token(double gapSeconds, int tokens)
    {
        Interlocked.Add(ref _generationTokens, tokens);
        var second = Environment.TickCount64 / 1000;
        lock (_throughputLock)
        {
            var slot = (int)(second % _slotCounts.Length);
            if (_slotSeconds[slot] != second)
            {
                _slotSeconds[slot] = second;
                _slotCounts[slot] = 0;
            }

            _slotCounts[slot] += tokens;
        }

        if (gapSeconds >= 0)
        {
            _itl.Observe(gapSeconds);
        }
    }

    /// <summary>The Prometheus text exposition.</summary>
    public string Render()
    {
        var text = new StringBuilder(8192);
        Gauge(text, "vllm:num_requests_running", "Number of requests in model execution batches.", Running);
        Gauge(text, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", Waiting);
        Gauge(text, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", Math.Min(1.0, Running / (double)_maxBatch));
        Gauge(text, "vllm:gpu_cache_usage_perc", "GPU KV-cache usage. 1 means 100 percent usage.", Math.Min(1.0, Running / (double)_maxBatch));
        Gauge(text, "vllm:avg_generation_throughput_toks_per_s", "Average generation throughput in tokens/s over the last 10 seconds.", GenerationThroughput());
        Counter(text, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", Interlocked.Read(ref _promptTokens));
        Counter(text, "vllm:generation_tokens_total", "Number of generation tokens processed.", Interlocked.Read(ref _generationTokens));
        text.Append("# HELP vllm:request_success_total Count of successfully processed requests.\n# TYPE vllm:request_success_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"vllm:request_success_total{{finished_reason=\"length\",{_labels}}} {Interlocked.Read(ref _successLength)}\n");
        text.Append(CultureInfo.InvariantCulture, $"vllm:request_success_total{{finished_reason=\"stop\",{_labels}}} {Interlocked.Read(ref _successStop)}\n");
        text.Append(CultureInfo.InvariantCulture, $"vllm:request_success_total{{finished_reason=\"abort\",{_labels}}} {Interlocked.Read(ref _aborted)}\n");
        _ttft.Write(text, _labels);
        _itl.Write(text, _labels);
        _tpot.Write(text, _labels);
        _e2e.Write(text, _labels);
        _queue.Write(text, _labels);
        return text.ToString();
    }

    private double GenerationThroughput()
    {
        // The current second is still filling, so average over the nine complete seconds before it.
        var current = Environment.TickCount64 / 1000;
        long sum = 0;
        lock (_throughputLock)
        {
            for (var i = 0; i < _slotCounts.Length; i++)
            {
                if (_slotSeconds[i] < current && _slotSeconds[i] >= current - (_slotCounts.Length - 1))
                {
                    sum += _slotCounts[i];
                }
            }
        }

        return sum / (double)(_slotCounts.Length - 1);
    }

    private void Gauge(StringBuilder text, string name, string help, double value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n{name}{{{_labels}}} {value}\n");

    private void Counter(StringBuilder text, string name, string help, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name}{{{_labels}}} {value}\n");
}
