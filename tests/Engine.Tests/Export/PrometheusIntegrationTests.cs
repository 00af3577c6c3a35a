using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Engine.Tests.Export;

/// <summary>Bursts pushed into a real Prometheus and read back with the seed's queries.</summary>
[Collection(TimingCollection.Name)]
public sealed class PrometheusIntegrationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-promit-").FullName;
    private readonly TargetTransportFactory _clients = new();

    public void Dispose()
    {
        _clients.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task VictoriaMetrics_receives_the_same_series_and_totals()
    {
        await using var vm = await TsdbServer.StartVictoriaMetricsAsync();
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 30, ItlMs = 2, ItlLoadFactor = 0 });

        var report = await Burst(server, vm, "vm-burst", 32);

        // VictoriaMetrics makes new samples searchable after a short flush: poll rather than sleep a fixed time.
        var total = report.Benchmarks[0].Summary.Requests.Total;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        double seen = -1;
        while (DateTime.UtcNow < deadline)
        {
            var result = await vm.QueryAsync("max_over_time(guidellm_requests_total{environment=\"development\",target=\"mistral-7b\"}[10m])", DateTimeOffset.UtcNow);
            if (result.Count == 1 && (seen = result[0].Value) == total)
            {
                break;
            }

            await Task.Delay(250);
        }

        Assert.Equal(total, seen);
        var ok = Assert.Single(await vm.QueryAsync("max_over_time(guidellm_requests_successful_total[10m])", DateTimeOffset.UtcNow));
        Assert.Equal(report.Benchmarks[0].Summary.Requests.Successful, ok.Value);
        Assert.Equal("simulated/llama-3.1-8b-instruct", ok.Labels["model"]);
    }

    private async Task<RunReport> Burst(SimulatorServer server, TsdbServer prometheus, string runId, int requests)
    {
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = 4, MaxDuration = TimeSpan.FromSeconds(60), MaxRequests = requests,
            Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(16)),
        };
        using var exporter = new RemoteWriteExporter([new RemoteWriteConfig { Url = prometheus.WriteUrl, PushInterval = TimeSpan.FromMilliseconds(500) }], new SampleSpool(Path.Combine(_dir, "spool")), TimeProvider.System);
        var report = await ExportedBurst.RunAsync(_clients, _dir, server, settings, exporter, runId, "development", "mistral-7b");
        Assert.Equal(0, report.Export![0].SamplesSpooled + report.Export[0].SamplesRejected);
        return report;
    }

    [Fact]
    public async Task The_seed_queries_agree_with_the_reports_across_two_bursts()
    {
        await using var prometheus = await TsdbServer.StartAsync();
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 30, ItlMs = 2, ItlLoadFactor = 0 });

        var first = await Burst(server, prometheus, "burst-a", 40);
        var raw = await prometheus.RawAsync("guidellm_requests_total{environment=\"development\"}[10m]", DateTimeOffset.UtcNow);
        var samples = Assert.Single(raw).Samples;
        Assert.Equal(0, samples[0].Value);
        Assert.Equal(samples.Select(s => s.Value).Order(), samples.Select(s => s.Value));
        Assert.Equal(first.Benchmarks[0].Summary.Requests.Total, samples[^1].Value);
        var end = samples[^1].At;
        Assert.Empty(await prometheus.QueryAsync("guidellm_requests_total{environment=\"development\"}", end.AddSeconds(1)));

        var rate = Assert.Single(await prometheus.QueryAsync("rate(guidellm_requests_total{environment=\"development\"}[1m])", end));
        Assert.Equal(first.Benchmarks[0].Summary.Requests.Total / 60.0, rate.Value, 6);

        var p95 = Assert.Single(await prometheus.QueryAsync("histogram_quantile(0.95, rate(guidellm_ttft_seconds_bucket[5m]))", end)).Value;
        var reportP95 = first.Benchmarks[0].Summary.TtftMs.P95 / 1000;
        var bounds = RunnerMetrics.Ttft.Buckets!;
        var bucket = bounds.First(b => reportP95 <= b);
        var lower = bounds.LastOrDefault(b => b < bucket);
        Assert.InRange(p95, lower, bucket);

        var second = await Burst(server, prometheus, "burst-b", 24);
        var raw2 = Assert.Single(await prometheus.RawAsync("guidellm_requests_total{environment=\"development\"}[10m]", DateTimeOffset.UtcNow)).Samples;
        var increase = Assert.Single(await prometheus.QueryAsync("increase(guidellm_requests_total{environment=\"development\"}[10m])", raw2[^1].At)).Value;
        Assert.Equal(first.Benchmarks[0].Summary.Requests.Total + second.Benchmarks[0].Summary.Requests.Total, increase, 6);
        var runs = Assert.Single(await prometheus.QueryAsync("increase(guidellm_benchmark_runs_total[10m])", raw2[^1].At)).Value;
        Assert.Equal(2, runs, 6);
    }
}
