using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Shards;

/// <summary>What one attempt to merge a sharded run of one target did.</summary>
/// <param name="Outcome">What happened, in words (merged, not yet and which shards are missing, already merged, claimed by another).</param>
/// <param name="Merged">The merged report, when this attempt merged.</param>
/// <param name="Saved">Where it was saved, when this attempt merged.</param>
internal sealed record ShardMergeResult(string Outcome, RunReport? Merged, ReportSaveResult? Saved)
{
    /// <summary>When another caller's merge claim turns stale and may be taken over, if it is still unmerged then; null otherwise.</summary>
    public DateTimeOffset? RetryAt { get; init; }
}
