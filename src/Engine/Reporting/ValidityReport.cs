namespace GuidellmFunctions.Engine.Reporting;

/// <summary>
/// Whether the runner itself may have limited what a stage measured (<c>benchmarks[].validity</c>): the figures it
/// watched during the stage and, when one crossed its limit (docs/metrics.md, "Validity"), the reasons.
/// </summary>
public sealed record ValidityReport
{
    /// <summary>True when no figure crossed its limit.</summary>
    public required bool Valid { get; init; }

    /// <summary>One sentence per limit crossed, starting with its code (<c>runner_cpu</c>, <c>thread_pool_lag</c>, <c>dispatch_delay</c>, <c>send_rate</c>).</summary>
    public required IReadOnlyList<string> Reasons { get; init; }

    /// <summary>The runner process's CPU time over the stage's wall time and the machine's cores (0–1).</summary>
    public double? ProcessCpuShare { get; init; }

    /// <summary>The machine's busy CPU over the stage (0–1, from /proc/stat; null elsewhere): the share other processes took is this less <see cref="ProcessCpuShare"/>.</summary>
    public double? MachineCpuShare { get; init; }

    /// <summary>Cores the process may use.</summary>
    public int Cores { get; init; }

    /// <summary>How late the runner's thread pool ran a timer's work item, sampled every 100 ms.</summary>
    public LagSummary? ThreadPoolLagMs { get; init; }

    /// <summary>The stage's dispatch delay p99 (sent − scheduled), in ms.</summary>
    public double? DispatchDelayP99Ms { get; init; }

    /// <summary>Requests the schedule held before the stage's end (open loop, <c>max_seconds</c> stages).</summary>
    public long? ScheduledRequests { get; init; }

    /// <summary>Requests the runner sent in the stage.</summary>
    public long? SentRequests { get; init; }

    /// <summary>The rate asked for (open loop), requests per second.</summary>
    public double? RequestedRate { get; init; }

    /// <summary>Requests sent over the stage's length, requests per second.</summary>
    public double? AchievedRate { get; init; }

    /// <summary>True when <c>max_concurrency</c> was reached: lateness and fewer requests are then the cap's, not the runner's.</summary>
    public bool ConcurrencyCapReached { get; init; }
}
