using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>The saved runs a verdict looks for its baseline in: the archive container or the local output directory.</summary>
internal interface IRunHistory
{
    /// <summary>Where the runs are, for messages (no credentials).</summary>
    string Description { get; }

    /// <summary>The saved reports of <paramref name="environment"/>/<paramref name="target"/>, newest first (by day, then start).</summary>
    IAsyncEnumerable<RunReport> NewestFirstAsync(string environment, string target, CancellationToken cancellationToken);

    /// <summary>The report of run <paramref name="runId"/> of <paramref name="environment"/>/<paramref name="target"/>; null when there is none.</summary>
    Task<RunReport?> FindAsync(string runId, string environment, string target, CancellationToken cancellationToken);

    /// <summary>Opens the gzip per-request records saved beside <paramref name="report"/>; null when there are none.</summary>
    Task<Stream?> OpenRequestsAsync(RunReport report, CancellationToken cancellationToken);
}
