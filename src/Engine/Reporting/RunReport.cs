using System.Text.Json.Serialization;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>The report of one target in one run, archived as <c>&lt;env&gt;/&lt;target&gt;/yyyy/MM/dd/&lt;runId&gt;.json</c>.</summary>
public sealed record RunReport
{
    /// <summary>The current <see cref="SchemaVersion"/>.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Report format version.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Run id, shared by the reports of every target of one run.</summary>
    public required string RunId { get; init; }

    /// <summary>Environment.</summary>
    public required string Environment { get; init; }

    /// <summary>Target name.</summary>
    public required string Target { get; init; }

    /// <summary>Model.</summary>
    public required string Model { get; init; }

    /// <summary><c>completed</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    [JsonConverter(typeof(ReportEnumConverter<RunStatus>))]
    public required RunStatus Status { get; init; }

    /// <summary>Why the run failed or was cancelled; null when completed.</summary>
    public string? StatusReason { get; init; }

    /// <summary>Run start (wall clock, UTC).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Run end (wall clock, UTC).</summary>
    public DateTimeOffset EndedAt { get; init; }

    /// <summary><c>timer</c>, <c>queue</c> or <c>cli</c>.</summary>
    [JsonConverter(typeof(ReportEnumConverter<RunTrigger>))]
    public required RunTrigger Trigger { get; init; }

    /// <summary>Effective settings, secrets redacted.</summary>
    public required TargetReport Config { get; init; }

    /// <summary>What was read of the dataset the requests came from; null for synthetic prompts.</summary>
    public DatasetReport? Dataset { get; init; }

    /// <summary>One entry per load stage.</summary>
    public required IReadOnlyList<BenchmarkReport> Benchmarks { get; init; }

    /// <summary>What became of the run's samples at each remote_write receiver; null when none is configured.</summary>
    public IReadOnlyList<Export.ExportReport>? Export { get; init; }

    /// <summary>Final values of the run's series (counters and histogram buckets), for backfill with <c>export</c>.</summary>
    public IReadOnlyList<Export.ReportSeries>? Series { get; init; }

    /// <summary>File name of the per-request records beside this report, when written.</summary>
    public string? RequestsFile { get; init; }

    /// <summary>What a capacity search found; null for other profiles.</summary>
    public CapacityReport? Capacity { get; init; }

    /// <summary>This run against its baseline; null when the run was not judged (not completed).</summary>
    public VerdictReport? Verdict { get; init; }

    /// <summary>This report's shard when it is one shard's report (<c>&lt;runId&gt;.shard-&lt;i&gt;-of-&lt;N&gt;.json</c>); null otherwise.</summary>
    public ShardSummary? Shard { get; init; }

    /// <summary>Every shard of a merged report, missing ones included; null for a run that was not sharded.</summary>
    public IReadOnlyList<ShardSummary>? Shards { get; init; }

    /// <summary>True when a merged report lacks at least one shard (named in <see cref="Shards"/> and <see cref="StatusReason"/>); null when not merged.</summary>
    public bool? Partial { get; init; }
}
