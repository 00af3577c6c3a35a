using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>What a run produced.</summary>
/// <param name="RunId">The run id.</param>
/// <param name="Results">Each target's report and where it was saved.</param>
/// <param name="Destination">Where reports go (the archive container or the local directory).</param>
/// <param name="PendingUploaded">Reports of earlier runs uploaded before this one.</param>
/// <param name="AlreadyRun">Targets (<c>env/target</c>) this run id had already been saved for: not run again.</param>
public sealed record RunOutcome(string RunId, IReadOnlyList<TargetRunResult> Results, string Destination, int PendingUploaded, IReadOnlyList<string> AlreadyRun)
{
    /// <summary>True when every target completed and its report was saved.</summary>
    public bool Succeeded => Results.All(r => r.Saved is not null && r.Report.Status == RunStatus.Completed);

    /// <summary>Shards not run because their run is already merged (<c>env/target: reason</c>).</summary>
    public IReadOnlyList<string> Refused { get; init; } = [];

    /// <summary>What became of the merge of each sharded target after this shard, in words (merged, not yet, already merged).</summary>
    public IReadOnlyList<string> Merges { get; init; } = [];
}
