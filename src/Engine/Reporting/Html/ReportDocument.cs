using System.Text.Json;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>
/// A run report as the HTML page reads it: the archived JSON, tolerant of missing sections so that reports of older
/// schema versions (and sections other features add) render what they have; and, when given, the per-request records
/// beside it, reduced to the page's time series in bounded memory.
/// </summary>
public sealed class ReportDocument
{
    private readonly List<string> _notices = [];

    private ReportDocument(JsonElement root, string source)
    {
        Root = root;
        Source = source;
        JsonElement? r = root;
        RunId = r.Text("runId")!;
        Environment = r.Text("environment");
        Target = r.Text("target");
        Model = r.Text("model");
        Status = r.Text("status");
        StatusReason = r.Text("statusReason");
        Trigger = r.Text("trigger");
        StartedAt = r.Time("startedAt");
        EndedAt = r.Time("endedAt");
        SchemaVersion = (int?)r.Integer("schemaVersion");
        RequestsFile = r.Text("requestsFile");
        Stages = [.. r.Items("benchmarks").Where(b => b.ValueKind == JsonValueKind.Object).Select(StageView.From)];
        var offset = 0.0;
        foreach (var stage in Stages)
        {
            stage.OffsetSeconds = stage.StartedAt is { } s && StartedAt is { } run ? Math.Max(0, (s - run).TotalSeconds) : offset;
            offset = stage.OffsetSeconds + (stage.DurationSeconds ?? 0);
        }

        RunSeconds = Math.Max(offset, (EndedAt - StartedAt)?.TotalSeconds ?? 0);
        if (SchemaVersion is null)
        {
            _notices.Add("The report has no schemaVersion: it is read as the oldest format, and what it lacks is left out.");
        }
        else if (SchemaVersion > RunReport.CurrentSchemaVersion)
        {
            _notices.Add($"The report's schema version {SchemaVersion} is newer than this renderer's ({RunReport.CurrentSchemaVersion}): sections it does not know are not shown.");
        }

        foreach (var stage in Stages)
        {
            foreach (var (key, stat) in stage.Stats)
            {
                if (stat.HistogramProblem is { } problem)
                {
                    _notices.Add($"Stage {stage.Index} {key}: the histogram cannot be read ({problem}); its distribution is drawn from the percentiles.");
                }
            }
        }
    }

    /// <summary>Where the report came from (a path or a URL without credentials), as the page names it.</summary>
    public string Source { get; }

    /// <summary><c>runId</c>.</summary>
    public string RunId { get; }

    /// <summary><c>environment</c>, when the report has it.</summary>
    public string? Environment { get; }

    /// <summary><c>target</c>, when the report has it.</summary>
    public string? Target { get; }

    /// <summary><c>model</c>, when the report has it.</summary>
    public string? Model { get; }

    /// <summary><c>status</c>, when the report has it.</summary>
    public string? Status { get; }

    /// <summary><c>statusReason</c>, when the report has it.</summary>
    public string? StatusReason { get; }

    /// <summary><c>trigger</c>, when the report has it.</summary>
    public string? Trigger { get; }

    /// <summary><c>startedAt</c>, when the report has it.</summary>
    public DateTimeOffset? StartedAt { get; }

    /// <summary><c>endedAt</c>, when the report has it.</summary>
    public DateTimeOffset? EndedAt { get; }

    /// <summary><c>schemaVersion</c>, when the report has it.</summary>
    public int? SchemaVersion { get; }

    /// <summary>The file name of the per-request records the report names (<c>requestsFile</c>), if any.</summary>
    public string? RequestsFile { get; }

    /// <summary>True once per-request records were read (<see cref="ReadRequests"/>).</summary>
    public bool HasRequests => Timeline is not null;

    internal JsonElement Root { get; }

    internal IReadOnlyList<StageView> Stages { get; }

    internal double RunSeconds { get; }

    internal RequestTimeline? Timeline { get; private set; }

    internal IReadOnlyList<string> Notices => _notices;

    /// <summary>Reads the report at <paramref name="json"/>, named <paramref name="source"/> in messages.</summary>
    /// <exception cref="NotARunReportException">It is not JSON, or not a run report (no <c>runId</c>, no <c>benchmarks</c>).</exception>
    public static ReportDocument Parse(ReadOnlyMemory<byte> json, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 64 });
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new NotARunReportException($"{source} is not a run report: it is not JSON ({ex.Message})", ex);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new NotARunReportException($"{source} is not a run report: its top level is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
        }

        JsonElement? r = root;
        var missing = new List<string>();
        if (r.Get("runId") is not { ValueKind: JsonValueKind.String })
        {
            missing.Add("runId (a string)");
        }

        if (r.Get("benchmarks") is not { ValueKind: JsonValueKind.Array })
        {
            missing.Add("benchmarks (an array)");
        }

        if (missing.Count > 0)
        {
            throw new NotARunReportException($"{source} is not a run report: it has no {string.Join(" and no ", missing)}");
        }

        return new ReportDocument(root, source);
    }

    /// <summary>
    /// Reads the per-request records (<c>.requests.jsonl.gz</c>, gzip or plain JSON lines) into the page's time series.
    /// Malformed lines are skipped and counted; a damaged file keeps what was read before the damage.
    /// </summary>
    public void ReadRequests(Stream records)
    {
        ArgumentNullException.ThrowIfNull(records);
        Timeline = RequestTimeline.Read(records, Stages, RunSeconds);
        if (Timeline.Malformed > 0)
        {
            _notices.Add($"{Figures.Count(Timeline.Malformed)} of the per-request records could not be read and were skipped.");
        }

        if (Timeline.Damage is { } damage)
        {
            _notices.Add($"The per-request records end early ({damage}): the time series show the first {Figures.Count(Timeline.Records)} requests.");
        }
    }

    internal void Notice(string text) => _notices.Add(text);
}
