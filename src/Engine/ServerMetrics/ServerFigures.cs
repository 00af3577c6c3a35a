using System.Globalization;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>Turns two readings of a server's metrics (before and after a stage) and its gauges' peaks into <c>benchmarks[].server</c>.</summary>
internal static class ServerFigures
{
    /// <summary>Reasons a request ended that do not count as one the server served.</summary>
    private static readonly string[] NotServed = ["abort", "error"];

    /// <summary>The figures of the stage between <paramref name="before"/> and <paramref name="after"/>.</summary>
    /// <param name="server">The section so far (source, endpoint); the figures are added to it.</param>
    /// <param name="before">The reading before the stage's first request.</param>
    /// <param name="after">The reading after its last one.</param>
    /// <param name="peaks">The state gauges over the stage's readings.</param>
    /// <param name="runnerSent">Requests the runner sent in the stage, every phase and outcome.</param>
    public static ServerReport Compute(ServerReport server, MetricSnapshot before, MetricSnapshot after, GaugePeaks peaks, long runnerSent)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(peaks);
        var notes = new List<string>(server.Notes ?? []);
        var reset = false;
        long? Counter(string[] names, Func<Exposition.ExpositionSample, bool>? where = null)
        {
            if (ServerMetricNames.First(after, names) is not { } name || after.Sum(name, where) is not { } now)
            {
                return null;
            }

            var then = before.Sum(name, where) ?? 0;
            reset |= now < then;
            return (long)Math.Round(now < then ? now : now - then);
        }

        ServerLatency? Latency(string[] families)
        {
            if (ServerMetricNames.FirstHistogram(after, families) is not { } family || after.Histogram(family) is not { } now)
            {
                return null;
            }

            var stage = now.Minus(before.Histogram(family), out var wasReset);
            reset |= wasReset;
            var count = (long)Math.Round(stage.Observations);
            double? Ms(double? seconds) => seconds * 1000;
            return new ServerLatency(
                family,
                count,
                count > 0 && double.IsFinite(stage.Sum) ? stage.Sum / stage.Observations * 1000 : null,
                Ms(stage.Quantile(0.50)),
                Ms(stage.Quantile(0.90)),
                Ms(stage.Quantile(0.95)),
                Ms(stage.Quantile(0.99)));
        }

        long? HistogramSum(string family)
        {
            if (after.Histogram(family) is not { } now)
            {
                return null;
            }

            var stage = now.Minus(before.Histogram(family), out var wasReset);
            reset |= wasReset;
            return double.IsFinite(stage.Sum) ? (long)Math.Round(stage.Sum) : null;
        }

        var requests = Counter(ServerMetricNames.Requests, s => s.Label("finished_reason") is not { } r || !NotServed.Contains(r, StringComparer.Ordinal));
        if (requests is { } finished && after.Has("sglang:num_aborted_requests_total"))
        {
            requests = Math.Max(0, finished - (Counter(["sglang:num_aborted_requests_total"]) ?? 0));
        }

        var result = server with
        {
            Available = true,
            Dialect = ServerMetricNames.Dialect(after),
            Requests = requests,
            PromptTokens = Counter(ServerMetricNames.PromptTokens) ?? HistogramSum(ServerMetricNames.TgiPromptTokensHistogram),
            OutputTokens = Counter(ServerMetricNames.OutputTokens) ?? HistogramSum(ServerMetricNames.TgiOutputTokensHistogram),
            TtftMs = Latency(ServerMetricNames.Ttft),
            E2eLatencyMs = Latency(ServerMetricNames.E2e),
            ItlMs = Latency(ServerMetricNames.Itl),
            QueueTimeMs = Latency(ServerMetricNames.QueueTime),
            PrefixCacheHitRate = PrefixCacheHitRate(before, after, ref reset),
            KvCacheUsageMax = peaks.KvCacheUsage,
            RunningMax = peaks.Running,
            WaitingMax = peaks.Waiting,
            Preemptions = Counter(ServerMetricNames.Preemptions),
            Readings = peaks.Readings,
        };

        if (reset)
        {
            notes.Add("the server's counters went back during the stage (it restarted): its figures cover only the time since");
        }

        if (result.Requests > runnerSent)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"the server counted {result.Requests} requests, more than the {runnerSent} the runner sent in this stage: something else was loading it, and its figures include that load"));
        }

        return result with { Notes = notes.Count > 0 ? notes : null };
    }

    /// <summary>The client's statistics minus the server's, where both have observations.</summary>
    public static ClientMinusServer? ClientMinusServer(BenchmarkSummary client, ServerReport? server)
    {
        ArgumentNullException.ThrowIfNull(client);
        static LatencyDifference? Difference(Metrics.DistributionSummary mine, ServerLatency? theirs) =>
            mine.Count == 0 || theirs is not { Count: > 0, Mean: { } mean } ? null
            : new LatencyDifference(mine.Mean - mean, mine.P50 - theirs.P50, mine.P95 - theirs.P95);

        if (server is not { Available: true })
        {
            return null;
        }

        var ttft = Difference(client.TtftMs, server.TtftMs);
        var e2e = Difference(client.E2eLatencyMs, server.E2eLatencyMs);
        return ttft is null && e2e is null ? null : new ClientMinusServer(ttft, e2e);
    }

    private static double? PrefixCacheHitRate(MetricSnapshot before, MetricSnapshot after, ref bool reset)
    {
        foreach (var (hits, queries) in ServerMetricNames.PrefixCacheCounters)
        {
            if (after.Sum(hits) is not { } h || after.Sum(queries) is not { } q)
            {
                continue;
            }

            var (h0, q0) = (before.Sum(hits) ?? 0, before.Sum(queries) ?? 0);
            reset |= h < h0 || q < q0;
            var (dh, dq) = h < h0 || q < q0 ? (h, q) : (h - h0, q - q0);
            return dq > 0 ? dh / dq : null;
        }

        return ServerMetricNames.First(after, ServerMetricNames.PrefixCacheHitRateGauges) is { } gauge ? after.Max(gauge) : null;
    }
}
