using System.Globalization;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Validity;

/// <summary>
/// Judges whether the runner may have limited what a stage measured, from figures measured during it: each limit
/// below that a figure crosses is a reason the stage is not valid (docs/metrics.md, "Validity").
/// </summary>
internal static class ValidityJudge
{
    /// <summary>The runner's process may use up to this share of the machine's cores.</summary>
    public const double MaxProcessCpuShare = 0.90;

    /// <summary>The thread pool's lateness at p95, in ms.</summary>
    public const double MaxThreadPoolLagP95Ms = 50;

    /// <summary>Open-loop dispatch delay at p99, in ms (not judged when <c>max_concurrency</c> was reached).</summary>
    public const double MaxDispatchDelayP99Ms = 20;

    /// <summary>Share of the schedule's requests a <c>max_seconds</c> open-loop stage must have sent.</summary>
    public const double MinSentShare = 0.95;

    /// <summary>The validity of <paramref name="report"/>'s stage, planned as <paramref name="plan"/>.</summary>
    /// <param name="load">The runner's load during the stage.</param>
    /// <param name="report">The stage's results.</param>
    /// <param name="plan">The stage.</param>
    /// <param name="scheduled">Requests the schedule held before the stage's end (open loop, <c>max_seconds</c>); null otherwise.</param>
    public static ValidityReport Judge(ProcessLoadFigures load, BenchmarkReport report, StagePlan plan, long? scheduled)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(plan);
        var summary = report.Summary;
        var reasons = new List<string>();
        var sent = summary.Requests.Total + summary.Requests.ExcludedWarmup + summary.Requests.ExcludedCooldown;
        var capReached = plan.IsOpenLoop && plan.MaxConcurrency is { } cap && summary.Concurrency.Max >= cap;
        if (load.ProcessCpuShare is { } cpu && cpu >= MaxProcessCpuShare)
        {
            reasons.Add(Text($"runner_cpu: the runner's process used {cpu:P0} of the machine's {load.Cores} cores (limit {MaxProcessCpuShare:P0}): it may have been the bottleneck"));
        }

        if (load.ThreadPoolLag is { } lag && lag.P95 >= MaxThreadPoolLagP95Ms)
        {
            reasons.Add(Text($"thread_pool_lag: the runner's thread pool ran work {lag.P95:0.#} ms late at p95 and up to {lag.Max:0.#} ms (limit {MaxThreadPoolLagP95Ms:0} ms): the runner was starved"));
        }

        if (plan.IsOpenLoop && !capReached && summary.DispatchDelayMs.Count > 0 && summary.DispatchDelayMs.P99 >= MaxDispatchDelayP99Ms)
        {
            reasons.Add(Text($"dispatch_delay: requests were sent {summary.DispatchDelayMs.P99:0.#} ms after their scheduled time at p99 (limit {MaxDispatchDelayP99Ms:0} ms)"));
        }

        if (plan.IsOpenLoop && !capReached && report.StopReason == "max_seconds" && scheduled is > 0 && sent < MinSentShare * scheduled.Value)
        {
            reasons.Add(Text($"send_rate: the runner sent {sent} of the {scheduled} requests its schedule held ({sent / (double)scheduled.Value:P0}, limit {MinSentShare:P0})"));
        }

        return new ValidityReport
        {
            Valid = reasons.Count == 0,
            Reasons = reasons,
            ProcessCpuShare = load.ProcessCpuShare,
            MachineCpuShare = load.MachineCpuShare,
            Cores = load.Cores,
            ThreadPoolLagMs = load.ThreadPoolLag,
            DispatchDelayP99Ms = summary.DispatchDelayMs.Count > 0 ? summary.DispatchDelayMs.P99 : null,
            ScheduledRequests = scheduled,
            SentRequests = sent,
            RequestedRate = plan.IsOpenLoop ? plan.Rate : null,
            AchievedRate = report.DurationSeconds > 0 ? sent / report.DurationSeconds : null,
            ConcurrencyCapReached = capReached,
        };
    }

    /// <summary>
    /// Requests the open-loop schedule of <paramref name="plan"/> holds before its <c>max_seconds</c> (and
    /// <c>max_requests</c>): the schedule the stage runs (<see cref="ArrivalSchedules.Of"/>), with <paramref name="target"/>'s
    /// ramp-up, burstiness and, for a shard of a constant run, its phase; null for other stages and for a replayed trace,
    /// whose times only its dataset knows.
    /// </summary>
    public static long? Scheduled(StagePlan plan, ResolvedTarget target)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!plan.IsOpenLoop || plan.Kind == ProfileKind.Replay || plan.MaxDuration is not { } duration)
        {
            return null;
        }

        // Only a replay reads the request source; the profiles judged here do not.
        var schedule = ArrivalSchedules.Of(plan, target, source: null!);
        long count = 0;
        while ((plan.MaxRequests is not { } max || count < max) && count < 100_000_000 && schedule.Next() < duration)
        {
            count++;
        }

        return count;
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
