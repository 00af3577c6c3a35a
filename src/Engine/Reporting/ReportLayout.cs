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

    /// <summary>Relative path of the report of <paramref name="report"/> (a shard's report in the folder of its run's <c>startAt</c>).</summary>
    public static string ReportPath(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Shard is { } shard
            ? ShardPath(report.Environment, report.Target, shard.StartAt, report.RunId, shard.Index, shard.Count)
            : ReportPath(report.Environment, report.Target, report.StartedAt, report.RunId);
    }

    /// <summary>Relative path of shard <paramref name="index"/> of <paramref name="count"/>: <c>&lt;runId&gt;.shard-&lt;i&gt;-of-&lt;N&gt;.json</c> in the folder of <paramref name="startAt"/>.</summary>
    public static string ShardPath(string environment, string target, DateTimeOffset startAt, string runId, int index, int count) =>
        ReportPath(environment, target, startAt, $"{runId}.{ShardName(index, count)}");

    /// <summary><c>shard-&lt;i&gt;-of-&lt;N&gt;</c>.</summary>
    public static string ShardName(int index, int count) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"shard-{index}-of-{count}");

    /// <summary>The marker of <paramref name="report"/>: its run's, or for a shard report the shard's own beside it.</summary>
    public static string RunMarkerPath(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return RunMarkerPath(report.RunId, report.Environment, MarkerTarget(report.Target, report.Shard?.Index, report.Shard?.Count));
    }

    /// <summary>The name the marker of a target (or one shard of it: <c>&lt;target&gt;.shard-&lt;i&gt;-of-&lt;N&gt;</c>) is kept under.</summary>
    public static string MarkerTarget(string target, int? shardIndex, int? shardCount) =>
        shardIndex is { } i && shardCount is { } n ? $"{target}.{ShardName(i, n)}" : target;

    /// <summary>The marker the shard that merges a run claims first, so that a run is merged once: <c>.runs/&lt;runId&gt;/&lt;env&gt;/&lt;target&gt;.merging</c>.</summary>
    public static string MergeClaimPath(string runId, string environment, string target) => RunMarkerPath(runId, environment, target) + ".merging";

    /// <summary>
    /// Relative path of the marker that says a run's report was saved: <c>.runs/&lt;runId&gt;/&lt;environment&gt;/&lt;target&gt;</c>.
    /// Reports are filed by date, redeliveries may come another day: the marker finds them by run id alone.
    /// </summary>
    public static string RunMarkerPath(string runId, string environment, string target) => $".runs/{runId}/{environment}/{target}";

    /// <summary>The folder of the run markers of <paramref name="runId"/> (of every run when null): <c>.runs/&lt;runId&gt;/</c>.</summary>
    internal static string RunMarkersFolder(string? runId) => runId is null ? ".runs/" : $".runs/{runId}/";

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
