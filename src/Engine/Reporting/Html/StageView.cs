using System.Text.Json;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>One <c>benchmarks[]</c> entry of a report, read tolerantly.</summary>
internal sealed class StageView
{
    /// <summary>The statistics the page draws, by their report name, with the words it shows for them.</summary>
    public static readonly IReadOnlyList<(string Key, string Name, string Long)> Latencies =
    [
        ("ttftMs", "TTFT", "time to first token"),
        ("ttfoMs", "TTFO", "time to first answer token"),
        ("itlMs", "ITL", "inter-token latency (every gap)"),
        ("tpotMs", "TPOT", "time per output token"),
        ("e2eLatencyMs", "E2E", "end-to-end latency"),
    ];

    private StageView(JsonElement element, int position)
    {
        Element = element;
        JsonElement? e = element;
        Index = (int)(e.Integer("index") ?? position);
        var profile = e.Get("profile");
        Kind = profile.Text("kind") ?? "stage";
        Rate = profile.Number("rate");
        Streams = profile.Integer("streams");
        Label = Kind switch
        {
            _ when Rate is { } r => $"{Kind}@{Figures.Number(r)}/s",
            "synchronous" => Kind,
            _ when Streams is { } s => $"{Kind}×{s}",
            _ => Kind,
        };
        StartedAt = e.Time("startedAt");
        DurationSeconds = e.Number("durationSeconds") ?? (e.Time("endedAt") - StartedAt)?.TotalSeconds;
        StopReason = e.Text("stopReason");
        Summary = e.Get("summary");
        var requests = Summary.Get("requests");
        Total = requests.Integer("total");
        Successful = requests.Integer("successful");
        Failed = requests.Integer("failed");
        Incomplete = requests.Integer("incomplete");
        Errors = [.. Summary.Members("errors").Select(m => (m.Name, ((JsonElement?)m.Value).Number() is { } n ? (long)n : 0)).Where(m => m.Item2 > 0)];
        ErrorMessages = [.. Summary.Members("errorMessages").Select(m => (m.Name, m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString() ?? string.Empty : string.Empty)).Where(m => m.Item2.Length > 0)];
        RequestsPerSecond = Summary.Path("throughput.requestsPerSecond").Number();
        OutputTokensPerSecond = Summary.Path("throughput.outputTokensPerSecond").Number();
        ConcurrencyMean = Summary.Path("concurrency.mean").Number();
        ConcurrencyMax = Summary.Path("concurrency.max").Number();
        Stats = Latencies.Select(l => l.Key).Append("dispatchDelayMs")
            .Select(key => (key, Html.Stat.From(Summary.Get(key))))
            .Where(p => p.Item2 is not null)
            .ToDictionary(p => p.key, p => p.Item2!, StringComparer.Ordinal);
        Slo = Summary.Get("slo");
        Server = e.Get("server");
        ClientMinusServer = e.Get("clientMinusServer");
        Validity = e.Get("validity") ?? Summary.Get("validity");
    }

    public JsonElement Element { get; }

    public int Index { get; }

    public string Kind { get; }

    public string Label { get; }

    public double? Rate { get; }

    public long? Streams { get; }

    /// <summary>The load this stage applied: its rate (open loop) or its streams (closed loop).</summary>
    public double? Load => Rate ?? Streams;

    public DateTimeOffset? StartedAt { get; }

    public double? DurationSeconds { get; }

    /// <summary>Seconds from the run's start to this stage's (set by <see cref="ReportDocument"/>).</summary>
    public double OffsetSeconds { get; set; }

    public string? StopReason { get; }

    public JsonElement? Summary { get; }

    public long? Total { get; }

    public long? Successful { get; }

    public long? Failed { get; }

    public long? Incomplete { get; }

    public IReadOnlyList<(string Reason, long Count)> Errors { get; }

    /// <summary>The first message of each failure reason (<c>summary.errorMessages</c>), secrets already masked by the runner.</summary>
    public IReadOnlyList<(string Reason, string Message)> ErrorMessages { get; }

    public double? RequestsPerSecond { get; }

    public double? OutputTokensPerSecond { get; }

    public double? ConcurrencyMean { get; }

    public double? ConcurrencyMax { get; }

    /// <summary>Latency statistics by report name (<c>ttftMs</c>, ...), those the stage has.</summary>
    public IReadOnlyDictionary<string, Stat> Stats { get; }

    public JsonElement? Slo { get; }

    public JsonElement? Server { get; }

    public JsonElement? ClientMinusServer { get; }

    public JsonElement? Validity { get; }

    public Stat? Stat(string key) => Stats.GetValueOrDefault(key);

    public static StageView From(JsonElement element, int position) => new(element, position);
}
