using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Deploy.Tests.Grafana;

/// <summary>
/// A burst pushed by remote_write into a real Prometheus that also scrapes the simulator's vLLM /metrics: every runner
/// and vLLM query of the dashboard then returns data, as a user opening it after a run would see, with the default
/// buckets, with native histograms, and with the Go runner's buckets.
/// </summary>
public sealed class DashboardQueryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-dash-").FullName;
    private readonly TargetTransportFactory _clients = new();

    public void Dispose()
    {
        _clients.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("fine", false)]
    [InlineData("fine", true)]
    [InlineData("go_runner", false)]
    public async Task After_a_pushed_burst_every_runner_and_vllm_panel_query_returns_data(string buckets, bool native)
    {
        // Reasoning tokens, so the TTFO and reasoning-share panels have a reasoning model's data.
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 20, ItlMs = 2, MaxBatch = 2, ReasoningTokens = 4 });
        await using var prometheus = await TsdbServer.StartAsync(native, $"{simulator.BaseAddress.Host}:{simulator.BaseAddress.Port}");
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = 4, MaxDuration = TimeSpan.FromSeconds(5), MaxRequests = 1_000_000,
            Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(16)),
        }.Set(SettingsTable.Slo, new Engine.Slo.SloObjectives(TtftMs: 1000, ItlMs: null, E2eMs: null, Attainment: 0.9));
        var layout = new HistogramLayout(HistogramLayout.Families.Keys.ToDictionary(k => k, k => HistogramLayout.Named(k, buckets)!));
        using var exporter = new RemoteWriteExporter([new RemoteWriteConfig { Url = prometheus.WriteUrl, PushInterval = TimeSpan.FromSeconds(1), NativeHistograms = native }], new SampleSpool(Path.Combine(_dir, "spool")), TimeProvider.System, layout: layout);

        while ((await prometheus.QueryAsync("up", DateTimeOffset.UtcNow)).Count == 0)
        {
            // The server panels need scrapes before, during and after the burst.
            await Task.Delay(200);
        }

        var report = await ExportedBurst.RunAsync(_clients, _dir, simulator, settings, exporter, "dashboard-1", "development", "llama");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Equal(Engine.Reporting.RunStatus.Completed, report.Status);
        var raw = await prometheus.RawAsync("guidellm_requests_total{environment=\"development\"}[10m]", DateTimeOffset.UtcNow);
        var end = Assert.Single(raw).Samples[^1].At;
        var empty = new List<string>();
        var checkedQueries = 0;
        // A single burst has no capacity search and no baseline to be judged against: those panels' series come from a
        // capacity run and a second run (VerdictCliTests, CapacityRunTests).
        foreach (var query in Dashboard.Queries().Where(q => q.Datasource is "${ds_runner}" or "${ds_vllm}" && !AfterSearchOrBaseline(q.Expr)))
        {
            checkedQueries++;
            // Pushed series go stale at the burst's end; scraped ones are read as of now, with the burst in their window.
            var result = await prometheus.QueryAsync(query.Resolved("development"), query.Datasource == "${ds_runner}" ? end : DateTimeOffset.UtcNow);
            if (result.Count == 0 || result.All(r => double.IsNaN(r.Value)))
            {
                empty.Add($"{query.Section} / {query.Panel}: {query.Resolved("development")}");
            }
        }

        Assert.True(empty.Count == 0, "queries without data:\n" + string.Join("\n", empty));
        Assert.True(checkedQueries >= 30, $"{checkedQueries} queries checked");
        Assert.Equal(0, report.Export![0].SamplesRejected + report.Export[0].SamplesSpooled);

        // The client TTFT p95 a user reads: the native histogram's within 3% of the report's, the default buckets' within 10%.
        var panel = Dashboard.Queries().First(q => q.Panel == "Client vs server TTFT (p95)");
        var shown = Assert.Single(await prometheus.QueryAsync(panel.Resolved("development"), end)).Value;
        var truth = report.Benchmarks[0].Summary.TtftMs.P95 / 1000;
        if (buckets == HistogramLayout.Fine)
        {
            Assert.InRange(shown, truth * (native ? 0.97 : 0.9), truth * (native ? 1.03 : 1.1));
        }
        var other = await prometheus.QueryAsync(Dashboard.Queries()[0].Resolved("production"), end);
        Assert.Empty(other);
    }

    private static bool AfterSearchOrBaseline(string expr) =>
        expr.Contains("guidellm_capacity", StringComparison.Ordinal) || expr.Contains("guidellm_verdict_", StringComparison.Ordinal);
}
