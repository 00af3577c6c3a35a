using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Shards;

/// <summary>Which shard of a sharded run a worker runs, and when all of them were asked to start.</summary>
/// <param name="Index">Shard index, 1 to <paramref name="Count"/>.</param>
/// <param name="Count">Shards of the run.</param>
/// <param name="StartAt">When every shard starts.</param>
/// <param name="StartSkew">How late this shard started after <paramref name="StartAt"/> (zero when on time).</param>
internal sealed record ShardAssignment(int Index, int Count, DateTimeOffset StartAt, TimeSpan StartSkew)
{
    /// <summary>
    /// The whole run's settings of the target this shard takes a share of (what the run was asked for, before
    /// <see cref="ShardPlanner.Share"/>): the shard report's <c>config</c>, so the merged report describes the whole run.
    /// Null when not known, and the report describes the share.
    /// </summary>
    public BenchmarkSettings? Run { get; init; }

    /// <summary>The shard's entry in its report: its status and its share of the load (<paramref name="share"/>).</summary>
    public Reporting.ShardSummary Describe(Reporting.RunReport report, BenchmarkSettings share)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(share);
        var plan = share.Profile is ProfileKind.Synchronous or ProfileKind.Concurrent or ProfileKind.Throughput or ProfileKind.Poisson or ProfileKind.Constant
            ? StagePlan.Create(share, 0, share.Profile)
            : null;
        return new()
        {
            Index = Index,
            Count = Count,
            Status = Reporting.ReportNames.Of(report.Status),
            StartAt = StartAt,
            StartSkewMs = Math.Round(StartSkew.TotalMilliseconds, 3),
            Requests = report.Benchmarks.Sum(b => b.Summary.Requests.Total),
            StatusReason = report.StatusReason,
            Rate = plan?.Rate,
            Streams = plan?.Streams,
            MaxConcurrency = plan?.MaxConcurrency,
            MaxRequests = plan?.MaxRequests,
        };
    }
}
