using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Load;

/// <summary>A target's report and where it was saved.</summary>
/// <param name="Report">The report.</param>
/// <param name="Saved">Where it went, or null when saving failed.</param>
/// <param name="SaveError">Why saving failed, when it did.</param>
public sealed record TargetRunResult(RunReport Report, ReportSaveResult? Saved, string? SaveError = null);
