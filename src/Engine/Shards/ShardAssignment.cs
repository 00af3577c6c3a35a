namespace GuidellmFunctions.Engine.Shards;

/// <summary>Which shard of a sharded run a worker runs, and when all of them were asked to start.</summary>
/// <param name="Index">Shard index, 1 to <paramref name="Count"/>.</param>
/// <param name="Count">Shards of the run.</param>
/// <param name="StartAt">When every shard starts.</param>
/// <param name="StartSkew">How late this shard started after <paramref name="StartAt"/> (zero when on time).</param>
internal sealed record ShardAssignment(int Index, int Count, DateTimeOffset StartAt, TimeSpan StartSkew)
{
    /// <summary>The shard's entry in its report.</summary>
    public Reporting.ShardSummary Describe(Reporting.RunReport report) => new()
    {
        Index = Index,
        Count = Count,
        Status = Reporting.ReportNames.Of(report.Status),
        StartAt = StartAt,
        StartSkewMs = Math.Round(StartSkew.TotalMilliseconds, 3),
        Requests = report.Benchmarks.Sum(b => b.Summary.Requests.Total),
        StatusReason = report.StatusReason,
    };
}
