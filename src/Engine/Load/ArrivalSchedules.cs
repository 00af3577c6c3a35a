using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Load;

/// <summary>The arrival schedule of an open-loop stage: its profile's gaps (or gamma gaps for <c>burstiness</c>), ramped up over <c>ramp_up_seconds</c>, or a trace's own times.</summary>
internal static class ArrivalSchedules
{
    /// <summary>
    /// The schedule a stage of <paramref name="target"/> runs: its settings and its shard. The stage and the validity
    /// judge both ask here, so the count the judge expects is the schedule the stage kept.
    /// </summary>
    /// <exception cref="InvalidOperationException">A replay whose source has no timestamps.</exception>
    public static IArrivalSchedule Of(StagePlan plan, ResolvedTarget target, IRequestSource source)
    {
        ArgumentNullException.ThrowIfNull(target);
        return For(plan, target.Settings, source, target.Shard);
    }

    /// <summary>
    /// The schedule of <paramref name="plan"/> with <paramref name="settings"/>; a replay takes it from <paramref name="source"/>;
    /// a constant schedule of <paramref name="shard"/> is offset by its share of the gap.
    /// </summary>
    /// <exception cref="InvalidOperationException">A replay whose source has no timestamps.</exception>
    public static IArrivalSchedule For(StagePlan plan, BenchmarkSettings settings, IRequestSource source, Shards.ShardAssignment? shard = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(settings);
        if (plan.Kind == ProfileKind.Replay)
        {
            return source is IArrivalSource arrivals
                ? arrivals.Arrivals(plan)
                : throw new InvalidOperationException("profile replay needs a trace dataset (mooncake or azure_trace) that gives arrival times");
        }

        var rate = plan.Rate ?? throw new InvalidOperationException($"profile {ProfileNames.Format(plan.Kind)} has no rate");
        IArrivalSchedule schedule = settings.Get(SettingsTable.Burstiness) is { } shape ? new GammaArrivals(rate, shape, plan.Seed)
            : plan.Kind == ProfileKind.Poisson ? new PoissonArrivals(rate, plan.Seed)
            : new ConstantArrivals(rate, shard is { Count: > 1 } s ? (s.Index - 1) / (double)s.Count : 0);
        var ramp = settings.Get(SettingsTable.RampUpSeconds);
        return ramp > TimeSpan.Zero ? new RampedArrivals(schedule, ramp) : schedule;
    }
}
