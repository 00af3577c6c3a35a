using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Watches a target's stages from beside the request path (the server's metrics, the runner's own load) and adds its
/// section to each stage's report. One instance per run of a target.
/// </summary>
internal interface IStageMonitor
{
    /// <summary>
    /// Called before the stage's clock starts and its first request is built into the schedule (a reading here sees the
    /// server before any of the stage's requests). Never throws for the target's faults; null when it has nothing to watch.
    /// </summary>
    Task<IStageWatch?> BeginAsync(ResolvedTarget target, StagePlan plan, CancellationToken cancellationToken);
}
