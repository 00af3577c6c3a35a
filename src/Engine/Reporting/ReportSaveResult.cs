namespace GuidellmFunctions.Engine.Reporting;

/// <summary>What a report store did with a report.</summary>
/// <param name="Location">Where the report is (path or URL).</param>
/// <param name="Written">False when the run's report already existed and nothing was written (idempotent redelivery).</param>
public sealed record ReportSaveResult(string Location, bool Written);
