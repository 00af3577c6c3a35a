using System.Globalization;
using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Shards;

/// <summary>
/// Merges the shard reports of one target's sharded run into the run's report: counts and tokens summed, every latency
/// statistic merged exactly through its histogram (<see cref="Distribution.Merge"/>), rates over the union of the shards'
/// measured windows, and <see cref="RunReport.Shards"/> naming each shard, missing ones included (docs/metrics.md, "Sharded
/// runs", says how each section merges).
/// </summary>
internal static class ShardMerger
{
    /// <summary>The status of a shard that saved no report and never started.</summary>
    public const string Missing = "missing";

    /// <summary>The status of a shard that started (its start claim is kept) and saved no report.</summary>
    public const string Lost = "lost";

    /// <summary>Merges <paramref name="shards"/> (the reports that came, any order) of a run of <paramref name="count"/> shards started at <paramref name="startAt"/>.</summary>
    /// <param name="shards">The shard reports that came.</param>
    /// <param name="count">Shards of the run.</param>
    /// <param name="startAt">When the shards were to start.</param>
    /// <param name="lost">Shards without a report that did start (their start claim, in words: when and on which worker): <c>lost</c>, not <c>missing</c>.</param>
    /// <exception cref="ArgumentException">No shard report, or reports of different runs or targets.</exception>
    public static RunReport Merge(IReadOnlyList<RunReport> shards, int count, DateTimeOffset startAt, IReadOnlyDictionary<int, string>? lost = null)
    {
        ArgumentNullException.ThrowIfNull(shards);
        if (shards.Count == 0)
        {
            throw new ArgumentException("no shard report to merge", nameof(shards));
        }

        var ordered = shards.OrderBy(s => s.Shard?.Index ?? 0).ToList();
        var first = ordered[0];
        if (ordered.Any(s => s.RunId != first.RunId || s.Environment != first.Environment || s.Target != first.Target || s.Shard is null))
        {
            throw new ArgumentException("the reports are not shards of one run of one target", nameof(shards));
        }

        var entries = Enumerable.Range(1, count).Select(i => ordered.FirstOrDefault(s => s.Shard!.Index == i) is { } report
            ? report.Shard! with { Status = ReportNames.Of(report.Status), StatusReason = report.StatusReason }
            : lost?.GetValueOrDefault(i) is { } started
            ? new ShardSummary { Index = i, Count = count, Status = Lost, StartAt = startAt, StatusReason = $"started {started} and saved no report: its worker was lost mid-run (killed, evicted, crashed); the load it sent is not counted" }
            : new ShardSummary { Index = i, Count = count, Status = Missing, StartAt = startAt, StatusReason = "no shard report and never started: the message was not taken in time, was poisoned, or its worker was lost before startAt" }).ToList();
        var missing = entries.Where(e => e.Status is Missing or Lost).Select(e => e.Index).ToList();
        var troubled = entries.Where(e => e.Status != "completed").ToList();
        var status = troubled.Count == 0 ? RunStatus.Completed
            : ordered.Any(s => s.Status == RunStatus.Failed) || ordered.All(s => s.Status != RunStatus.Completed) ? RunStatus.Failed
            : ordered.Any(s => s.Status == RunStatus.Cancelled) ? RunStatus.Cancelled
            : RunStatus.Completed;
        var reason = troubled.Count == 0 ? null : string.Join("; ", troubled.Select(e => string.Create(CultureInfo.InvariantCulture, $"shard {e.Index} {e.Status}: {e.StatusReason}")));
        var stages = ordered.SelectMany(s => s.Benchmarks.Select(b => (Part: b, Shard: s.Shard!.Index))).GroupBy(b => b.Part.Index).OrderBy(g => g.Key)
            .Select(g => MergeStage([.. g.Select(x => x.Part)], [.. g.Select(x => x.Shard)])).ToList();
        return new RunReport
        {
            RunId = first.RunId,
            Environment = first.Environment,
            Target = first.Target,
            Model = first.Model,
            Status = status,
            StatusReason = reason,
            StartedAt = ordered.Min(s => s.StartedAt),
            EndedAt = ordered.Max(s => s.EndedAt),
            Trigger = first.Trigger,
            Config = first.Config,
            Dataset = first.Dataset,
            Benchmarks = stages,
            Shards = entries,
            Partial = missing.Count > 0,
        };
    }

    private static BenchmarkReport MergeStage(IReadOnlyList<BenchmarkReport> parts, IReadOnlyList<int> shardIndexes)
    {
        var first = parts[0];
        var windowStart = parts.Min(p => p.StartedAt.AddSeconds(p.Profile.WarmupSeconds));
        var windowEnd = parts.Max(p => p.StartedAt.AddSeconds(p.Profile.WarmupSeconds + p.MeasuredSeconds));
        var measured = Math.Max(0, (windowEnd - windowStart).TotalSeconds);
        var summaries = parts.Select(p => p.Summary).ToList();
        var requests = new RequestCounts(
            summaries.Sum(s => s.Requests.Total),
            summaries.Sum(s => s.Requests.Successful),
            summaries.Sum(s => s.Requests.Failed),
            summaries.Sum(s => s.Requests.Incomplete),
            summaries.Sum(s => s.Requests.ExcludedWarmup),
            summaries.Sum(s => s.Requests.ExcludedCooldown));
        var sources = summaries.Select(s => s.Tokens.OutputSource).Distinct(StringComparer.Ordinal).ToList();
        var tokens = new TokenCounts(
            summaries.Sum(s => s.Tokens.Prompt),
            summaries.Sum(s => s.Tokens.Output),
            sources.Count == 1 ? sources[0] : "mixed",
            summaries.Sum(s => s.Tokens.PromptTarget),
            summaries.Sum(s => s.Tokens.OutputTarget))
        {
            Reasoning = summaries.Any(s => s.Tokens.Reasoning is not null) ? summaries.Sum(s => s.Tokens.Reasoning ?? 0) : null,
        };

        // Every shard's rates are its counts over its own window: count × window gives the count back.
        double Rate(Func<ThroughputSummary, double> rate) => measured > 0 ? parts.Sum(p => rate(p.Summary.Throughput) * p.MeasuredSeconds) / measured : 0;
        var summary = new BenchmarkSummary
        {
            Requests = requests,
            Errors = Sum(summaries.Select(s => s.Errors)),
            ErrorMessages = new SortedDictionary<string, string>(summaries.SelectMany(s => s.ErrorMessages).GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.First().Value), StringComparer.Ordinal),
            Tokens = tokens,
            TtftMs = Distribution.Merge(summaries.Select(s => s.TtftMs)),
            TtfoMs = Distribution.Merge(summaries.Select(s => s.TtfoMs)),
            ItlMs = Distribution.Merge(summaries.Select(s => s.ItlMs)),
            TpotMs = Distribution.Merge(summaries.Select(s => s.TpotMs)),
            E2eLatencyMs = Distribution.Merge(summaries.Select(s => s.E2eLatencyMs)),
            DispatchDelayMs = Distribution.Merge(summaries.Select(s => s.DispatchDelayMs)),
            Throughput = new ThroughputSummary(Rate(t => t.RequestsPerSecond), Rate(t => t.OutputTokensPerSecond), Rate(t => t.TotalTokensPerSecond)),

            // Shards run side by side: their in-flight counts add up (the max is an upper bound: the peaks need not coincide).
            Concurrency = new ConcurrencySummary(summaries.Sum(s => s.Concurrency.Mean), summaries.Sum(s => s.Concurrency.Max)),
            Slo = MergeSlo(parts, measured),
            Turns = MergeTurns(summaries),
        };

        // Every shard watched the same server: the widest window's figures stand for the run.
        var server = parts.Where(p => p.Server is not null).OrderByDescending(p => p.DurationSeconds).Select(p => p.Server).FirstOrDefault();
        var invalid = parts.Select((p, i) => (Part: p, Shard: shardIndexes[i])).Where(p => p.Part.Validity is { Valid: false }).ToList();
        return first with
        {
            Profile = first.Profile with
            {
                Rate = first.Profile.Rate is null ? null : parts.Sum(p => p.Profile.Rate ?? 0),
                Streams = first.Profile.Streams is null ? null : parts.Sum(p => p.Profile.Streams ?? 0),
                MaxConcurrency = first.Profile.MaxConcurrency is null ? null : parts.Sum(p => p.Profile.MaxConcurrency ?? 0),
                MaxRequests = first.Profile.MaxRequests is null ? null : parts.Sum(p => p.Profile.MaxRequests ?? 0),
            },
            StartedAt = parts.Min(p => p.StartedAt),
            EndedAt = parts.Max(p => p.EndedAt),
            DurationSeconds = (parts.Max(p => p.EndedAt) - parts.Min(p => p.StartedAt)).TotalSeconds,
            MeasuredSeconds = measured,
            StopReason = string.Join(",", parts.Select(p => p.StopReason).Distinct(StringComparer.Ordinal)),
            StopDetail = parts.Select(p => p.StopDetail).FirstOrDefault(d => d is not null),
            Summary = summary,
            Server = server,
            ClientMinusServer = ServerMetrics.ServerFigures.ClientMinusServer(summary, server),
            Validity = parts.All(p => p.Validity is null) ? null : new ValidityReport
            {
                Valid = invalid.Count == 0,
                Reasons = [.. invalid.SelectMany(p => p.Part.Validity!.Reasons.Select(r => string.Create(CultureInfo.InvariantCulture, $"shard {p.Shard}: {r}")))],
                Cores = parts.Max(p => p.Validity?.Cores ?? 0),
                ProcessCpuShare = parts.Max(p => p.Validity?.ProcessCpuShare),
                MachineCpuShare = parts.Max(p => p.Validity?.MachineCpuShare),
                DispatchDelayP99Ms = summary.DispatchDelayMs.Count > 0 ? summary.DispatchDelayMs.P99 : null,
                ScheduledRequests = parts.Any(p => p.Validity?.ScheduledRequests is not null) ? parts.Sum(p => p.Validity?.ScheduledRequests ?? 0) : null,
                SentRequests = parts.Any(p => p.Validity?.SentRequests is not null) ? parts.Sum(p => p.Validity?.SentRequests ?? 0) : null,
                RequestedRate = parts.Any(p => p.Validity?.RequestedRate is not null) ? parts.Sum(p => p.Validity?.RequestedRate ?? 0) : null,
                AchievedRate = parts.Any(p => p.Validity?.AchievedRate is not null) ? parts.Sum(p => p.Validity?.AchievedRate ?? 0) : null,
                ConcurrencyCapReached = parts.Any(p => p.Validity?.ConcurrencyCapReached == true),
            },
        };
    }

    private static SloSummary? MergeSlo(IReadOnlyList<BenchmarkReport> parts, double measured)
    {
        var slos = parts.Select(p => (p.Summary.Slo, p.MeasuredSeconds)).Where(s => s.Slo is not null).ToList();
        if (slos.Count == 0)
        {
            return null;
        }

        var objectives = slos[0].Slo!.Objectives;
        var evaluated = slos.Sum(s => s.Slo!.Evaluated);
        var conforming = slos.Sum(s => s.Slo!.Conforming);
        double? attainment = evaluated > 0 ? conforming / (double)evaluated : null;
        var tokens = slos.Sum(s => s.Slo!.TokenGoodput * s.MeasuredSeconds);
        return new SloSummary(objectives, evaluated, conforming, attainment, measured > 0 ? conforming / measured : 0, measured > 0 ? tokens / measured : 0, attainment >= objectives.Attainment);
    }

    private static List<TurnSummary>? MergeTurns(IReadOnlyList<BenchmarkSummary> summaries)
    {
        var turns = summaries.Where(s => s.Turns is not null).SelectMany(s => s.Turns!).GroupBy(t => t.Turn).OrderBy(g => g.Key).ToList();
        return turns.Count == 0 ? null : [.. turns.Select(g => new TurnSummary(
            g.Key,
            new RequestCounts(g.Sum(t => t.Requests.Total), g.Sum(t => t.Requests.Successful), g.Sum(t => t.Requests.Failed), g.Sum(t => t.Requests.Incomplete), g.Sum(t => t.Requests.ExcludedWarmup), g.Sum(t => t.Requests.ExcludedCooldown)),
            g.Sum(t => t.PromptTokens),
            g.Sum(t => t.OutputTokens),
            Distribution.Merge(g.Select(t => t.TtftMs)),
            Distribution.Merge(g.Select(t => t.ItlMs)),
            Distribution.Merge(g.Select(t => t.TpotMs)),
            Distribution.Merge(g.Select(t => t.E2eLatencyMs))))];
    }

    private static SortedDictionary<string, long> Sum(IEnumerable<IReadOnlyDictionary<string, long>> maps)
    {
        var sum = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in maps.SelectMany(m => m))
        {
            sum[key] = sum.GetValueOrDefault(key) + value;
        }

        return sum;
    }
}
