using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>Where one run keeps what it produces.</summary>
/// <param name="Reports">Where reports go: the archive with its local fallback, or a local directory.</param>
/// <param name="Spool">Where samples that could not be delivered wait for the next run.</param>
/// <param name="Destination">The reports' destination for messages (no credentials).</param>
/// <param name="PendingUploaded">Reports of earlier runs delivered while opening the storage.</param>
/// <param name="LocalRoot">The local directory (reports without an archive, pending reports, spool, staging files).</param>
internal sealed record RunStorage(IReportStore Reports, ISampleSpool Spool, string Destination, int PendingUploaded, string LocalRoot)
{
    /// <summary>The shard reports among <see cref="PendingUploaded"/>: each arrives now, so its run's merge is attempted.</summary>
    public IReadOnlyList<RunReport> PendingShards { get; init; } = [];
}
