namespace GuidellmFunctions.Engine.Reporting;

/// <summary>The archive layout: <c>&lt;environment&gt;/&lt;target&gt;/&lt;yyyy&gt;/&lt;MM&gt;/&lt;dd&gt;/&lt;runId&gt;.json</c> (+ <c>.requests.jsonl.gz</c>).</summary>
internal static class ReportLayout
{
    /// <summary>Suffix of the per-request records file.</summary>
    public const string RequestsSuffix = ".requests.jsonl.gz";

    /// <summary>Relative path of the report (forward slashes, as blob names use).</summary>
    public static string ReportPath(string environment, string target, DateTimeOffset startedAt, string runId)
    {
        var day = startedAt.UtcDateTime;
        return $"{environment}/{target}/{day:yyyy}/{day:MM}/{day:dd}/{runId}.json";
    }

    /// <summary>Relative path of the report of <paramref name="report"/>.</summary>
    public static string ReportPath(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return ReportPath(report.Environment, report.Target, report.StartedAt, report.RunId);
    }

    /// <summary>
    /// Relative path of the marker that says a run's report was saved: <c>.runs/&lt;runId&gt;/&lt;environment&gt;/&lt;target&gt;</c>.
    /// Reports are filed by date, redeliveries may come another day: the marker finds them by run id alone.
    /// </summary>
    public static string RunMarkerPath(string runId, string environment, string target) => $".runs/{runId}/{environment}/{target}";

    /// <summary>Relative path of the requests file beside <paramref name="reportPath"/>.</summary>
    public static string RequestsPath(string reportPath)
    {
        ArgumentNullException.ThrowIfNull(reportPath);
        return string.Concat(reportPath.AsSpan(0, reportPath.Length - ".json".Length), RequestsSuffix);
    }
}
