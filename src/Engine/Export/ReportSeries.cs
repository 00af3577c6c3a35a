namespace GuidellmFunctions.Engine.Export;

/// <summary>One series' final value at the end of a run, kept in the report so it can be backfilled later.</summary>
/// <param name="Name">Sample name (for example <c>guidellm_ttft_seconds_bucket</c>).</param>
/// <param name="Labels">Labels other than the name.</param>
/// <param name="Value">Value at the run's end.</param>
public sealed record ReportSeries(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
