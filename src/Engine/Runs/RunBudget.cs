using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>How long a target's run can take at most, so a host with a time limit can refuse a config that cannot fit.</summary>
public static class RunBudget
{
    /// <summary>Time allowed beyond the stages for preparing, draining, saving and pushing.</summary>
    public static readonly TimeSpan Overhead = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The longest <paramref name="target"/>'s run can last: per stage the sooner of <c>max_seconds</c> and the time
    /// <c>max_requests</c> can take when every request runs to its timeout (a capacity probe at its first, lowest load);
    /// times the stages of a sweep, or <c>capacity_max_probes</c> for a capacity search; plus <see cref="Overhead"/>.
    /// </summary>
    public static TimeSpan Worst(ResolvedTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var s = target.Settings;
        var stages = s.Profile switch
        {
            ProfileKind.Sweep => s.SweepSize,
            ProfileKind.Capacity => s.Get(SettingsTable.CapacityMaxProbes),
            _ => 1,
        };
        TimeSpan? byRequests = null;
        if (s.MaxRequests is { } n)
        {
            byRequests = s.Profile switch
            {
                ProfileKind.Constant or ProfileKind.Poisson => TimeSpan.FromSeconds(n / s.Rate) + s.RequestTimeout,
                ProfileKind.Capacity when s.Get(SettingsTable.CapacityBy) == Capacity.CapacityBy.Rate => TimeSpan.FromSeconds(n / s.Rate) + s.RequestTimeout,
                ProfileKind.Capacity => s.RequestTimeout * Math.Ceiling(n / Math.Max(1, s.Rate)),
                ProfileKind.Concurrent => s.RequestTimeout * Math.Ceiling(n / Math.Max(1, s.Rate)),
                ProfileKind.Throughput => s.RequestTimeout * Math.Ceiling(n / (double)(s.MaxConcurrency ?? BenchmarkSettings.DefaultThroughputConcurrency)),
                _ => s.RequestTimeout * n,
            };
        }

        var perStage = (s.MaxDuration, byRequests) switch
        {
            ({ } d, { } r) => d < r ? d : r,
            ({ } d, null) => d,
            (null, { } r) => r,
            _ => TimeSpan.MaxValue / 4,
        };
        return (perStage * stages) + Overhead;
    }

    /// <summary>Every target of <paramref name="targets"/> whose worst case exceeds <paramref name="limit"/>, described.</summary>
    public static IReadOnlyList<string> Exceeding(IEnumerable<ResolvedTarget> targets, TimeSpan limit) =>
        [.. targets.Select(t => (Target: t, Worst: Worst(t)))
            .Where(x => x.Worst > limit)
            .Select(x => $"{x.Target.Environment}/{x.Target.Target.Name} can take up to {x.Worst:g} ({ProfileNames.Format(x.Target.Settings.Profile)}{(x.Target.Settings.Profile == ProfileKind.Capacity ? $" of up to {x.Target.Settings.Get(SettingsTable.CapacityMaxProbes)} probes" : string.Empty)}, max_seconds {x.Target.Settings.MaxDuration?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, max_requests {x.Target.Settings.MaxRequests?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, request_timeout {x.Target.Settings.RequestTimeout.TotalSeconds}s, plus {Overhead.TotalMinutes} min to save and push), more than the {limit:g} allowed")];
}
