using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;
using GuidellmFunctions.Simulator.Metrics;

namespace GuidellmFunctions.Engine.Tests.ServerMetrics;

/// <summary>
/// Whole runs against the simulator, whose <c>/metrics</c> speaks vLLM's current or older names, read directly or through a
/// real Prometheus scraping it: the stage's server figures agree with what the simulator was told to do (counts exactly,
/// latencies within the bucket holding the configured value), and a server without metrics never fails the run.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ServerMetricsSimulatorTests : IDisposable
{
    // 70 ms sits inside vLLM's TTFT bucket (0.06, 0.08]; 70 + 31 × 10 ms inside the E2E bucket (0.3, 0.5].
    private const double TtftMs = 70;
    private const double ItlMs = 10;
    private const int PromptTokens = 64;
    private const int OutputTokens = 32;

    private readonly TargetTransportFactory _clients = new();

    public void Dispose() => _clients.Dispose();

    [Theory]
    [InlineData(MetricsNaming.V1, "vllm:inter_token_latency_seconds")]
    [InlineData(MetricsNaming.Legacy, "vllm:time_per_output_token_seconds")]
    public async Task The_targets_own_metrics_give_the_stages_server_figures(MetricsNaming names, string itlMetric)
    {
        await using var server = await Simulator(names);

        var report = await RunAsync(server, new ServerMetricsSetting { Interval = TimeSpan.FromSeconds(1) }, "own");

        var stage = Assert.Single(report.Benchmarks);
        var s = stage.Summary;
        var figures = stage.Server!;
        Assert.True(figures.Available, figures.Error);
        Assert.Equal(("target", new Uri(server.BaseAddress, "metrics").ToString()), (figures.Source, figures.Endpoint));
        AssertAgreesWithTheSimulator(s, figures, itlMetric);
        Assert.True(figures.Readings >= 3, $"{figures.Readings} readings");
        Assert.InRange(figures.RunningMax!.Value, 1, 10);
        Assert.Null(figures.Notes);

        var validity = stage.Validity!;
        Assert.Equal((24L, 8.0), (validity.SentRequests!.Value, validity.RequestedRate!.Value));
        Assert.True(validity.ThreadPoolLagMs!.Samples > 0);
        Assert.NotNull(validity.ProcessCpuShare);

        var gap = stage.ClientMinusServer!;
        Assert.Equal(s.TtftMs.Mean - figures.TtftMs!.Mean!.Value, gap.TtftMs!.Mean, 6);
        Assert.InRange(gap.TtftMs.Mean, -2, 40);
        Assert.InRange(gap.E2eLatencyMs!.Mean, -2, 40);
    }

    [Theory]
    [InlineData(MetricsNaming.V1, "vllm:inter_token_latency_seconds")]
    [InlineData(MetricsNaming.Legacy, "vllm:time_per_output_token_seconds")]
    public async Task A_prometheus_scraping_the_server_gives_the_same_figures(MetricsNaming names, string itlMetric)
    {
        await using var server = await Simulator(names);
        await using var prometheus = await TsdbServer.StartAsync($"127.0.0.1:{server.BaseAddress.Port}");
        await UntilScrapedAsync(prometheus, "vllm:num_requests_running");
        var setting = new ServerMetricsSetting { Kind = ServerMetricsKind.Prometheus, Url = prometheus.BaseAddress };

        var report = await RunAsync(server, setting, "prom");

        var stage = Assert.Single(report.Benchmarks);
        var figures = stage.Server!;
        Assert.True(figures.Available, figures.Error);
        Assert.Equal("prometheus", figures.Source);
        AssertAgreesWithTheSimulator(stage.Summary, figures, itlMetric);
        Assert.True(figures.Readings >= 2, $"{figures.Readings} readings");
        Assert.NotNull(stage.ClientMinusServer?.TtftMs);
        Assert.Null(figures.Gpu);
    }

    [Fact]
    public async Task The_gpus_dcgm_series_give_utilisation_power_and_energy_per_output_token()
    {
        await using var server = await Simulator(MetricsNaming.V1);
        await using var dcgm = await FakeDcgmExporter.StartAsync();
        await using var prometheus = await TsdbServer.StartAsync($"127.0.0.1:{server.BaseAddress.Port}", $"127.0.0.1:{dcgm.Url.Port}");
        await UntilScrapedAsync(prometheus, "vllm:num_requests_running");
        await UntilScrapedAsync(prometheus, "DCGM_FI_DEV_POWER_USAGE");
        var setting = new ServerMetricsSetting { Kind = ServerMetricsKind.Prometheus, Url = prometheus.BaseAddress, GpuSelector = $"{{modelName=\"{FakeDcgmExporter.ModelName}\"}}" };

        var report = await RunAsync(server, setting, "gpu");

        var stage = report.Benchmarks[0];
        var gpu = stage.Server!.Gpu!;
        Assert.Equal(2, gpu.Count);
        Assert.Equal(80, gpu.UtilizationMean!.Value, 6);
        Assert.Equal(90, gpu.UtilizationMax!.Value, 6);
        Assert.Equal(600, gpu.PowerWattsMean!.Value, 6);
        Assert.InRange(gpu.EnergyJoules!.Value, 600 * stage.DurationSeconds * 0.97, 600 * stage.DurationSeconds * 1.03);
        Assert.Equal(gpu.EnergyJoules.Value / stage.Server.OutputTokens!.Value, gpu.EnergyPerOutputTokenJoules!.Value, 9);
    }

    [Fact]
    public async Task A_server_without_metrics_gives_a_section_that_says_so_and_the_run_completes()
    {
        await using var server = await Simulator(MetricsNaming.V1);
        var setting = new ServerMetricsSetting { Kind = ServerMetricsKind.Url, Url = new Uri(server.BaseAddress, "no-metrics-here") };

        var report = await RunAsync(server, setting, "none");

        Assert.Equal(RunStatus.Completed, report.Status);
        var figures = report.Benchmarks[0].Server!;
        Assert.False(figures.Available);
        Assert.Contains("404", figures.Error, StringComparison.Ordinal);
        Assert.Null(figures.Requests);
        Assert.Null(report.Benchmarks[0].ClientMinusServer);
        Assert.True(report.Benchmarks[0].Summary.Requests.Successful > 0);
    }

    [Fact]
    public async Task A_server_off_the_network_gives_a_section_that_says_so_and_the_run_completes()
    {
        await using var server = await Simulator(MetricsNaming.V1);
        var setting = new ServerMetricsSetting { Kind = ServerMetricsKind.Url, Url = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}/metrics") };

        var report = await RunAsync(server, setting, "off");

        Assert.Equal(RunStatus.Completed, report.Status);
        Assert.False(report.Benchmarks[0].Server!.Available);
        Assert.False(string.IsNullOrEmpty(report.Benchmarks[0].Server!.Error));
    }

    [Fact]
    public async Task Two_runners_on_one_server_each_read_that_the_server_counted_more_than_they_sent()
    {
        await using var server = await Simulator(MetricsNaming.V1);

        var reports = await Task.WhenAll(RunAsync(server, ServerMetricsSetting.Target, "a"), RunAsync(server, ServerMetricsSetting.Target, "b"));

        foreach (var report in reports)
        {
            var stage = report.Benchmarks[0];
            var sent = stage.Summary.Requests.Total;
            Assert.True(stage.Server!.Requests > sent, $"server {stage.Server.Requests}, sent {sent}");
            var note = Assert.Single(stage.Server.Notes!);
            Assert.StartsWith($"the server counted {stage.Server.Requests} requests, more than the {sent} the runner sent in this stage", note, StringComparison.Ordinal);
        }
    }

    private static void AssertAgreesWithTheSimulator(BenchmarkSummary s, ServerReport figures, string itlMetric)
    {
        Assert.Equal("vllm", figures.Dialect);
        Assert.Equal(24, s.Requests.Successful);
        Assert.Equal(s.Requests.Successful, figures.Requests);
        Assert.Equal(s.Tokens.Prompt, figures.PromptTokens);
        Assert.Equal(s.Tokens.Output, figures.OutputTokens);
        Assert.Equal(OutputTokens * s.Requests.Successful, figures.OutputTokens);

        var ttft = figures.TtftMs!;
        Assert.Equal(("vllm:time_to_first_token_seconds", s.Requests.Successful), (ttft.Metric, ttft.Count));
        // The simulator's own steps run late on a busy machine: the mean and p95 may move up, the median stays in its bucket.
        Assert.InRange(ttft.Mean!.Value, TtftMs - 1, TtftMs + 25);
        Assert.InRange(ttft.P50!.Value, 60, 80);
        Assert.True(ttft.P50 <= ttft.P95 && ttft.P95 <= ttft.P99);

        var e2e = figures.E2eLatencyMs!;
        Assert.Equal(s.Requests.Successful, e2e.Count);
        Assert.InRange(e2e.Mean!.Value, TtftMs + ((OutputTokens - 1) * ItlMs) - 1, TtftMs + ((OutputTokens - 1) * ItlMs) + 60);
        Assert.InRange(e2e.P50!.Value, 300, 500);

        Assert.Equal(itlMetric, figures.ItlMs!.Metric);
        Assert.Equal((OutputTokens - 1) * s.Requests.Successful, figures.ItlMs.Count);
        Assert.InRange(figures.ItlMs.Mean!.Value, ItlMs - 0.5, ItlMs + 3);
        Assert.NotNull(figures.QueueTimeMs);
        Assert.Equal(0, figures.Preemptions);
    }

    /// <summary>Waits for Prometheus to hold a scrape of <paramref name="metric"/>, so the stage's start has a sample to read.</summary>
    private static async Task UntilScrapedAsync(TsdbServer prometheus, string metric)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await prometheus.QueryAsync($"{{__name__=\"{metric}\"}}", DateTimeOffset.UtcNow)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Prometheus scraped no {metric} in 30 s");
            await Task.Delay(200);
        }
    }

    private static Task<SimulatorServer> Simulator(MetricsNaming names) =>
        SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = TtftMs, ItlMs = ItlMs, ItlLoadFactor = 0, PrefillMsPerToken = 0, MetricsNames = names });

    private Task<RunReport> RunAsync(SimulatorServer server, ServerMetricsSetting setting, string name)
    {
        var settings = new BenchmarkSettings
        {
            // A stage ended by max_requests waits for its last request, so the server counts the same requests and tokens.
            Profile = ProfileKind.Constant, Rate = 8, MaxRequests = 24, MaxDuration = TimeSpan.FromSeconds(30),
            Data = new DataSpec(new TokenDistribution(PromptTokens), new TokenDistribution(OutputTokens)),
        }.Set(SettingsTable.ServerMetrics, setting);
        var target = new ResolvedTarget("it", new TargetConfig { Name = name, Url = server.V1, Model = server.Options.Model }, settings);
        return new LoadTestRunner(_clients, new PromptGenerator(), TimeProvider.System).RunAsync(target, "server-" + name, RunTrigger.Cli, [], CancellationToken.None);
    }
}
