using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;
using Xunit.Abstractions;

namespace GuidellmFunctions.Engine.Tests.Export;

/// <summary>
/// Bursts at TTFT 50 ms, 120 ms, 700 ms and 4 s pushed into a real Prometheus 2.42: the quantiles PromQL reads from the
/// classic buckets and from the native histograms, against the run report's.
/// </summary>
public sealed class HistogramQuantileTests(ITestOutputHelper output) : IDisposable
{
    private static readonly double[] Quantiles = [0.5, 0.95, 0.99];
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-quantiles-").FullName;
    private readonly TargetTransportFactory _clients = new();

    public void Dispose()
    {
        _clients.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static BenchmarkSettings Settings(int requests) => new()
    {
        Profile = ProfileKind.Concurrent, Rate = 8, MaxDuration = TimeSpan.FromSeconds(60), MaxRequests = requests,
        Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(16)),
    };

    private async Task<RunReport> BurstAsync(RemoteWriteExporter exporter, double ttftMs, string target, int requests = 16)
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = ttftMs, ItlMs = 20, ItlLoadFactor = 0 });
        return await ExportedBurst.RunAsync(_clients, _dir, server, Settings(requests), exporter, "run-" + target, "development", target);
    }

    private static async Task<DateTimeOffset> LastPushAsync(TsdbServer tsdb, string target) =>
        Assert.Single(await tsdb.RawAsync($"guidellm_requests_total{{target=\"{target}\"}}[10m]", DateTimeOffset.UtcNow)).Samples[^1].At;

    private static IEnumerable<(string Metric, double Quantile, double Report)> ReportQuantiles(RunReport report)
    {
        var summary = report.Benchmarks[0].Summary;
        foreach (var (metric, stats) in ((string, DistributionSummary)[])[("ttft", summary.TtftMs), ("tpot", summary.TpotMs), ("e2e_latency", summary.E2eLatencyMs)])
        {
            yield return (metric, 0.5, stats.P50 / 1000);
            yield return (metric, 0.95, stats.P95 / 1000);
            yield return (metric, 0.99, stats.P99 / 1000);
        }
    }

    [Fact]
    public async Task PromQL_quantiles_are_within_10_percent_of_the_reports_from_classic_buckets_and_3_percent_from_native_histograms()
    {
        await using var prometheus = await TsdbServer.StartAsync(nativeHistograms: true);
        using var exporter = new RemoteWriteExporter([new RemoteWriteConfig { Url = prometheus.WriteUrl, PushInterval = TimeSpan.FromSeconds(1), NativeHistograms = true }], new SampleSpool(Path.Combine(_dir, "spool")), TimeProvider.System);

        (double TtftMs, string Target)[] levels = [(50, "ttft-50ms"), (120, "ttft-120ms"), (700, "ttft-700ms"), (4000, "ttft-4s")];
        var reports = await Task.WhenAll(levels.Select(l => BurstAsync(exporter, l.TtftMs, l.Target)));

        var misses = new List<string>();
        foreach (var (report, (ttftMs, target)) in reports.Zip(levels))
        {
            Assert.Equal(0, report.Export![0].SamplesSpooled + report.Export[0].SamplesRejected);
            Assert.True(report.Benchmarks[0].Summary.TtftMs.P50 >= ttftMs * 0.95, $"{target}: p50 TTFT {report.Benchmarks[0].Summary.TtftMs.P50} ms");
            var end = await LastPushAsync(prometheus, target);
            foreach (var (metric, q, expected) in ReportQuantiles(report))
            {
                var selector = $"{{target=\"{target}\"}}[10m]";
                var classic = Assert.Single(await prometheus.QueryAsync($"histogram_quantile({q}, sum by (le) (rate(guidellm_{metric}_seconds_bucket{selector})))", end)).Value;
                var native = Assert.Single(await prometheus.QueryAsync($"histogram_quantile({q}, sum(rate(guidellm_{metric}_seconds{selector})))", end)).Value;
                var line = $"{target} {metric} p{q * 100}: report {expected:0.#####} s, classic {classic:0.#####} s ({(classic / expected) - 1:+0.0%;-0.0%}), native {native:0.#####} s ({(native / expected) - 1:+0.0%;-0.0%})";
                output.WriteLine(line);
                if (Math.Abs(classic - expected) > 0.10 * expected || Math.Abs(native - expected) > 0.03 * expected)
                {
                    misses.Add(line);
                }
            }
        }

        Assert.True(misses.Count == 0, string.Join("\n", misses));
    }

    [Fact]
    public async Task A_prometheus_without_native_histograms_refuses_them_and_still_gets_every_classic_series()
    {
        await using var prometheus = await TsdbServer.StartAsync(nativeHistograms: false);
        using var exporter = new RemoteWriteExporter([new RemoteWriteConfig { Url = prometheus.WriteUrl, PushInterval = TimeSpan.FromSeconds(1), NativeHistograms = true }], new SampleSpool(Path.Combine(_dir, "spool")), TimeProvider.System);

        var report = await BurstAsync(exporter, 120, "refusing", requests: 8);

        var export = Assert.Single(report.Export!);
        Assert.Equal(0, export.SamplesSpooled);
        Assert.Equal(HistogramLayout.Families.Count, export.SamplesRejected);
        Assert.Contains(export.Errors, e => e.Contains("native histograms refused", StringComparison.Ordinal) && e.EndsWith("HTTP 500: native histograms are disabled", StringComparison.Ordinal));
        var end = await LastPushAsync(prometheus, "refusing");
        Assert.Equal(report.Benchmarks[0].Summary.TtftMs.Count, Assert.Single(await prometheus.QueryAsync("guidellm_ttft_seconds_count{target=\"refusing\"}", end)).Value);
        var p95 = Assert.Single(await prometheus.QueryAsync("histogram_quantile(0.95, sum by (le) (rate(guidellm_ttft_seconds_bucket{target=\"refusing\"}[10m])))", end)).Value;
        Assert.InRange(p95, report.Benchmarks[0].Summary.TtftMs.P95 / 1000 * 0.9, report.Benchmarks[0].Summary.TtftMs.P95 / 1000 * 1.1);
        Assert.Empty(await prometheus.QueryAsync("guidellm_ttft_seconds_count{target=\"refusing\"}", end.AddSeconds(1)));
    }

    [Fact]
    public async Task VictoriaMetrics_asked_for_native_histograms_still_receives_every_classic_series()
    {
        await using var vm = await TsdbServer.StartVictoriaMetricsAsync();
        using var exporter = new RemoteWriteExporter([new RemoteWriteConfig { Url = vm.WriteUrl, PushInterval = TimeSpan.FromSeconds(1), NativeHistograms = true }], new SampleSpool(Path.Combine(_dir, "spool")), TimeProvider.System);

        var report = await BurstAsync(exporter, 120, "vm-native", requests: 8);

        // VictoriaMetrics 1.79 answers 204 to native histograms and stores none of them; it makes samples searchable after a short flush.
        Assert.Equal(0, report.Export![0].SamplesSpooled + report.Export[0].SamplesRejected);
        var buckets = RunnerMetrics.Ttft.Buckets!.Count + 1;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        double seen = -1;
        while (DateTime.UtcNow < deadline && (seen = (await vm.QueryAsync("count(max_over_time(guidellm_ttft_seconds_bucket{target=\"vm-native\"}[10m]))", DateTimeOffset.UtcNow)).FirstOrDefault().Value) != buckets)
        {
            await Task.Delay(250);
        }

        Assert.Equal(buckets, seen);
        var count = Assert.Single(await vm.QueryAsync("max_over_time(guidellm_ttft_seconds_count{target=\"vm-native\"}[10m])", DateTimeOffset.UtcNow)).Value;
        Assert.Equal(report.Benchmarks[0].Summary.TtftMs.Count, count);
    }
}
