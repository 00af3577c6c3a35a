namespace GuidellmFunctions.Engine.Reporting;

/// <summary>Where run reports are kept (a local directory, the blob archive).</summary>
internal interface IReportStore
{
    /// <summary>
    /// Saves <paramref name="report"/> and, when given, the per-request records file at <paramref name="requestsFile"/>
    /// beside it. Idempotent per run id: if the report exists, nothing is written.
    /// </summary>
    Task<ReportSaveResult> SaveAsync(RunReport report, string? requestsFile, CancellationToken cancellationToken);

    /// <summary>True when run <paramref name="runId"/> of <paramref name="environment"/>/<paramref name="target"/> was already saved (whatever its date).</summary>
    Task<bool> HasRunAsync(string runId, string environment, string target, CancellationToken cancellationToken);
}
