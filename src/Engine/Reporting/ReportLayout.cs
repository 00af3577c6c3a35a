namespace GuidellmFunctions.Engine.Reporting;

/// <summary>
/// The archive layout: <c>&lt;environment&gt;/&lt;target&gt;/&lt;yyyy&gt;/&lt;MM&gt;/&lt;dd&gt;/&lt;runId&gt;.json</c> (+ <c>.requests.jsonl.gz</c>,
/// <c>.html</c>), and an <c>index.html</c> per folder listing the day's runs of the target.
/// </summary>
public static class ReportLayout
{
    /// <summary>Suffix of the per-request records file.</summary>
    public const string RequestsSuffix = ".requests.jsonl.gz";

    /// <summary>Suffix of the report's HTML page.</summary>
    public const string PageSuffix = ".html";

    /// <summary>File name of the page listing a folder's (a target's day's) runs.</summary>
    public const string DayIndexName = "index.html";

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

    /// <summary>Relative path of the HTML page beside <paramref name="reportPath"/>.</summary>
    public static string PagePath(string reportPath)
    {
        ArgumentNullException.ThrowIfNull(reportPath);
        return string.Concat(reportPath.AsSpan(0, reportPath.Length - ".json".Length), PageSuffix);
    }

    /// <summary>Relative path of the day index in the folder of <paramref name="reportPath"/>.</summary>
    public static string DayIndexPath(string reportPath)
    {
        ArgumentNullException.ThrowIfNull(reportPath);
        return string.Concat(reportPath.AsSpan(0, reportPath.LastIndexOf('/') + 1), DayIndexName);
    }

    /// <summary>True when <paramref name="fileName"/> is a run's report (not a shard report or another file of the folder).</summary>
    public static bool IsRunReport(string fileName) =>
        fileName.EndsWith(".json", StringComparison.Ordinal) && !fileName.Contains(".shard-", StringComparison.Ordinal) && !fileName.EndsWith(".tmp", StringComparison.Ordinal);
}
