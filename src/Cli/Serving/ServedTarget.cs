using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Cli.Serving;

/// <summary>One target <c>serve</c> runs on its interval, with its state as the control API shows it. Guarded by the scheduler's lock.</summary>
internal sealed class ServedTarget(ResolvedTarget target)
{
    public ResolvedTarget Target { get; } = target;

    public string Name => Target.Target.Name;

    /// <summary>Cancels this target's loop (and its run in progress); null while stopped.</summary>
    public CancellationTokenSource? Loop { get; set; }

    public bool Running => Loop is not null;

    /// <summary>A run of this target is in progress (a target discovery retires then leaves after it).</summary>
    public bool InRun { get; set; }

    public DateTimeOffset? LastRunAt { get; set; }

    public RunReport? LastReport { get; set; }
}
