using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// One target's push after a realistic burst, in each histogram layout: what the exporter snapshots, encodes and
/// compresses every push interval.
/// </summary>
internal static class PushPayload
{
    /// <summary>The layouts compared: the Go runner's buckets (before the fine ones), the fine ones, and the fine ones with native histograms beside them.</summary>
    public static IReadOnlyList<(string Name, HistogramLayout Layout, bool Native)> Layouts { get; } =
    [
        ("Go runner buckets (before)", new HistogramLayout(HistogramLayout.Families.Keys.ToDictionary(k => k, k => HistogramLayout.Named(k, HistogramLayout.GoRunner)!)), false),
        ("fine buckets (default)", HistogramLayout.Default, false),
        ("fine buckets + native histograms", HistogramLayout.Default, true),
    ];

    /// <summary>
    /// A burst of 1,000 requests: TTFT log-normal around 150 ms, 128 tokens each with gaps log-normal around 20 ms,
    /// dispatch delay around 0.2 ms; seeded, so every layout sees the same observations.
    /// </summary>
    public static BurstMetrics Burst(HistogramLayout layout, bool native)
    {
        var target = new ResolvedTarget("staging", new TargetConfig { Name = "mistral-7b", Url = new Uri("http://vllm:8000/v1"), Model = "mistralai/Mistral-7B-Instruct-v0.3" }, new BenchmarkSettings());
        var metrics = new BurstMetrics(target, new Dictionary<string, string> { ["cluster"] = "aks-westeurope-1" }, layout, native);
        var random = new Random(42);
        double LogNormal(double median, double sigma) => median * Math.Exp(sigma * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        for (var i = 0; i < 1_000; i++)
        {
            var result = new RequestResult
            {
                RequestId = "r", TimestampFrequency = 1_000_000, ScheduledTimestamp = 1_000_000, Status = RequestStatus.Successful,
                UsagePromptTokens = 256, UsageOutputTokens = 128,
            };
            result.SentTimestamp = result.ScheduledTimestamp + (long)(LogNormal(0.0002, 0.5) * 1e6);
            result.FirstContentTimestamp = result.SentTimestamp + (long)(LogNormal(0.150, 0.4) * 1e6);
            var at = result.FirstContentTimestamp;
            for (var t = 1; t < 128; t++)
            {
                var gap = (long)(LogNormal(0.020, 0.3) * 1e6);
                result.AddGap(gap);
                at += gap;
            }

            result.LastContentTimestamp = at;
            result.EndTimestamp = at + 500;
            metrics.Observe(result);
            result.ReleaseGaps();
        }

        return metrics;
    }

    /// <summary>One push: the snapshot and the bodies a receiver gets (classic, and native in its own request), uncompressed.</summary>
    public static IReadOnlyList<byte[]> Push(BurstMetrics metrics, long timestampMs)
    {
        var classic = metrics.Snapshot(timestampMs).Select(s => new SeriesData(s.Labels, [(timestampMs, s.Value)])).ToList();
        var native = metrics.NativeSnapshot().Select(h => SeriesData.Native(h.Labels, timestampMs, h.Histogram)).ToList();
        return native.Count == 0
            ? [WriteRequestEncoder.Encode(classic, RunnerMetrics.All)]
            : [WriteRequestEncoder.Encode(classic, RunnerMetrics.All), WriteRequestEncoder.Encode(native)];
    }
}
