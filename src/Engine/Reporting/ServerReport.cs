namespace GuidellmFunctions.Engine.Reporting;

/// <summary>
/// The server's own figures over one stage (<c>benchmarks[].server</c>), from the differences of its metrics read before
/// and after the stage (see docs/metrics.md, "Server metrics"). Figures the server does not expose are null.
/// </summary>
public sealed record ServerReport
{
    /// <summary>Where the metrics came from: <c>target</c> (the target's own <c>/metrics</c>), <c>url</c> or <c>prometheus</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The address read (credentials and secret query values masked).</summary>
    public string? Endpoint { get; init; }

    /// <summary>False when no metrics could be read; <see cref="Error"/> says why.</summary>
    public bool Available { get; init; }

    /// <summary>Why the metrics could not be read, when they could not.</summary>
    public string? Error { get; init; }

    /// <summary>Whose names the server uses: <c>vllm</c>, <c>sglang</c>, <c>tgi</c>, or <c>unknown</c> (none of them).</summary>
    public string? Dialect { get; init; }

    /// <summary>Requests the server finished over the stage (aborted ones left out).</summary>
    public long? Requests { get; init; }

    /// <summary>Prompt tokens the server processed over the stage.</summary>
    public long? PromptTokens { get; init; }

    /// <summary>Output tokens the server generated over the stage.</summary>
    public long? OutputTokens { get; init; }

    /// <summary>Time to first token, from the server's histogram.</summary>
    public ServerLatency? TtftMs { get; init; }

    /// <summary>End-to-end request latency, from the server's histogram.</summary>
    public ServerLatency? E2eLatencyMs { get; init; }

    /// <summary>Inter-token latency, from the server's histogram.</summary>
    public ServerLatency? ItlMs { get; init; }

    /// <summary>Time requests waited in the server's queue, from its histogram.</summary>
    public ServerLatency? QueueTimeMs { get; init; }

    /// <summary>Share of prompt tokens found in the prefix cache over the stage (0–1).</summary>
    public double? PrefixCacheHitRate { get; init; }

    /// <summary>Highest KV-cache usage seen (0–1).</summary>
    public double? KvCacheUsageMax { get; init; }

    /// <summary>Most requests seen running at once.</summary>
    public double? RunningMax { get; init; }

    /// <summary>Most requests seen waiting at once.</summary>
    public double? WaitingMax { get; init; }

    /// <summary>Requests preempted over the stage.</summary>
    public long? Preemptions { get; init; }

    /// <summary>Readings the gauges' maxima come from (reads of <c>/metrics</c>, or samples stored by Prometheus).</summary>
    public int Readings { get; init; }

    /// <summary>GPU figures from DCGM (Prometheus source with <c>gpu_selector</c>).</summary>
    public GpuReport? Gpu { get; init; }

    /// <summary>What a reader must know about these figures (another load on the server, a restart, a late scrape).</summary>
    public IReadOnlyList<string>? Notes { get; init; }
}
