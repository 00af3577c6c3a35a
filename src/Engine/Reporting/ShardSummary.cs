namespace GuidellmFunctions.Engine.Reporting;

/// <summary>
/// One shard of a run sharded across workers (<c>enqueue --shards N</c>): a shard report carries its own as
/// <see cref="RunReport.Shard"/>, the merged report lists every shard in <see cref="RunReport.Shards"/>.
/// </summary>
public sealed record ShardSummary
{
    /// <summary>Shard index, 1 to <see cref="Count"/>.</summary>
    public required int Index { get; init; }

    /// <summary>Shards of the run.</summary>
    public required int Count { get; init; }

    /// <summary><c>completed</c>, <c>failed</c>, <c>cancelled</c> (the shard report's status), or <c>missing</c> when no shard report came.</summary>
    public required string Status { get; init; }

    /// <summary>When every shard was asked to start (the messages' <c>startAt</c>).</summary>
    public DateTimeOffset StartAt { get; init; }

    /// <summary>How late this shard started after <see cref="StartAt"/>, in milliseconds (0 when on time); null when missing.</summary>
    public double? StartSkewMs { get; init; }

    /// <summary>Requests the shard sent (all stages), or null when missing.</summary>
    public long? Requests { get; init; }

    /// <summary>The shard's share of the run's rate (requests/s, constant and poisson); null otherwise and when missing.</summary>
    public double? Rate { get; init; }

    /// <summary>The shard's share of the run's streams (concurrent, throughput); null otherwise and when missing.</summary>
    public int? Streams { get; init; }

    /// <summary>The shard's share of the run's <c>max_concurrency</c>; null when none and when missing.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>The shard's share of the run's <c>max_requests</c>; null when none and when missing.</summary>
    public int? MaxRequests { get; init; }

    /// <summary>Why the shard failed, was cancelled or is missing; null when completed.</summary>
    public string? StatusReason { get; init; }
}
