using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Load;

/// <summary>One load stage to run: a single profile with its limits.</summary>
/// <param name="Index">Position in the run.</param>
/// <param name="Kind">Synchronous, concurrent, throughput, constant or poisson (never sweep).</param>
/// <param name="Rate">Requests per second for constant and poisson.</param>
/// <param name="Streams">Parallel streams for synchronous (1), concurrent and throughput.</param>
/// <param name="MaxConcurrency">Cap on in-flight requests for open-loop profiles; null for none.</param>
/// <param name="MaxDuration">Time limit.</param>
/// <param name="MaxRequests">Request limit.</param>
/// <param name="MaxErrors">Failure limit.</param>
/// <param name="Warmup">Excluded start.</param>
/// <param name="Cooldown">Excluded end.</param>
/// <param name="RequestTimeout">Per-request deadline.</param>
/// <param name="Seed">Seed for arrivals and data.</param>
public sealed record StagePlan(
    int Index,
    ProfileKind Kind,
    double? Rate,
    int? Streams,
    int? MaxConcurrency,
    TimeSpan? MaxDuration,
    int? MaxRequests,
    int? MaxErrors,
    TimeSpan Warmup,
    TimeSpan Cooldown,
    TimeSpan RequestTimeout,
    int Seed)
{
    /// <summary>True for constant, poisson and replay, whose arrivals do not wait for responses.</summary>
    public bool IsOpenLoop => Kind is ProfileKind.Constant or ProfileKind.Poisson or ProfileKind.Replay;

    /// <summary>The stage for a non-sweep profile of <paramref name="settings"/>, or one stage of a sweep.</summary>
    public static StagePlan Create(BenchmarkSettings settings, int index, ProfileKind kind, double? rate = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (kind == ProfileKind.Sweep)
        {
            throw new ArgumentException("a sweep is planned by SweepPlanner, stage by stage", nameof(kind));
        }

        var streams = kind switch
        {
            ProfileKind.Synchronous => 1,
            ProfileKind.Concurrent => (int)(rate ?? settings.Rate),
            ProfileKind.Throughput => settings.MaxConcurrency ?? BenchmarkSettings.DefaultThroughputConcurrency,
            _ => (int?)null,
        };

        return new StagePlan(
            index,
            kind,
            kind is ProfileKind.Constant or ProfileKind.Poisson ? rate ?? settings.Rate : null,
            streams,
            kind is ProfileKind.Constant or ProfileKind.Poisson or ProfileKind.Replay ? settings.MaxConcurrency : null,
            settings.MaxDuration,
            settings.MaxRequests,
            settings.MaxErrors,
            settings.Warmup,
            settings.Cooldown,
            settings.RequestTimeout,
            settings.Seed + index);
    }
}
