using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Engine.Tests.Export;

/// <summary>Bursts against the simulator, exported to a scripted receiver: burst semantics, spooling and replay.</summary>
[Collection(TimingCollection.Name)]
public sealed class RemoteWriteExporterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-rw-").FullName;
    private readonly TargetTransportFactory _clients = new();

    public void Dispose()
    {
        _clients.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<RunReport> Burst(SimulatorServer server, RemoteWriteExporter exporter, string runId, int requests = 30)
    {
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = 4, MaxDuration = TimeSpan.FromSeconds(60), MaxRequests = requests,
            Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(8)),
        };
        await exporter.ReplaySpoolAsync(CancellationToken.None);
        return await ExportedBurst.RunAsync(_clients, _dir, server, settings, exporter, runId);
    }

    private static RemoteWriteConfig Receiver(Uri url) => new()
    {
        Url = url, PushInterval = TimeSpan.FromMilliseconds(200), MinBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(50), MaxAttempts = 2, ExternalLabels = new Dictionary<string, string> { ["cluster"] = "c1" },
    };

    [Fact]
    public async Task A_burst_starts_at_zero_grows_monotonically_ends_at_the_report_totals_then_goes_stale()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 20, ItlMs = 5 });
        await using var receiver = await FakeReceiver.StartAsync();
        using var exporter = new RemoteWriteExporter([Receiver(receiver.Url)], new SampleSpool(Path.Combine(_dir, "spool")), TimeProvider.System);

        var report = await Burst(server, exporter, "burst-1");

        var bySeries = receiver.Accepted.GroupBy(s => string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}")))
            .ToDictionary(g => g.Key, g => g.SelectMany(s => s.Samples).ToList());
        var total = bySeries.Single(kv => kv.Key.StartsWith("__name__=guidellm_requests_total,", StringComparison.Ordinal));
        Assert.Contains("cluster=c1", total.Key, StringComparison.Ordinal);
        Assert.Contains("environment=dev,model=simulated/llama-3.1-8b-instruct,target=sim", total.Key, StringComparison.Ordinal);
        // Gauges set when a stage ends (its timestamp, its validity) have no zero to start from.
        string[] setAtStageEnd = [RunnerMetrics.LastBenchmarkTimestamp.Name, RunnerMetrics.StageValid.Name];
        foreach (var (key, samples) in bySeries.Where(kv => !setAtStageEnd.Any(name => kv.Key.Contains($"__name__={name},", StringComparison.Ordinal))))
        {
            Assert.True(samples.Count >= 3, $"{key}: {samples.Count} samples");
            Assert.Equal(0, samples[0].Value);
            Assert.True(StaleMarker.Is(samples[^1].Value), $"{key} does not end stale");
            for (var i = 1; i < samples.Count; i++)
            {
                Assert.True(samples[i].TimestampMs > samples[i - 1].TimestampMs, $"{key}: timestamps not increasing");
            }

            if (key.Contains("_total,", StringComparison.Ordinal) || key.Contains("_bucket,", StringComparison.Ordinal) || key.Contains("_count,", StringComparison.Ordinal))
            {
                var values = samples.Take(samples.Count - 1).Select(s => s.Value).ToList();
                Assert.Equal(values.Order(), values);
            }
        }

        double Final(string name) => bySeries.Single(kv => kv.Key.StartsWith($"__name__={name},", StringComparison.Ordinal)).Value[^2].Value;
        var summary = report.Benchmarks[0].Summary;
        Assert.Equal(summary.Requests.Total, Final("guidellm_requests_total"));
        Assert.Equal(summary.Requests.Successful, Final("guidellm_requests_successful_total"));
        Assert.Equal(summary.Tokens.Output, Final("guidellm_output_tokens_total"));
        Assert.Equal(summary.TtftMs.Count, Final("guidellm_ttft_seconds_count"));
        Assert.Equal(summary.ItlMs.Count, Final("guidellm_itl_seconds_count"));
        Assert.Equal(1, Final("guidellm_benchmark_runs_total"));
        Assert.Equal(0, Final("guidellm_benchmark_runs_failed_total"));

        var export = Assert.Single(report.Export!);
        Assert.Equal(receiver.Accepted.Sum(s => s.Samples.Count), export.SamplesDelivered);
        Assert.Equal(0, export.SamplesSpooled);
    }

    [Fact]
    public async Task A_receiver_down_for_a_whole_run_gets_every_sample_on_the_next_run_in_order()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1 });
        var port = LoopbackPorts.Free();
        var url = new Uri($"http://127.0.0.1:{port}/api/v1/write");
        var spool = new SampleSpool(Path.Combine(_dir, "spool"));

        RunReport first;
        using (var exporter = new RemoteWriteExporter([Receiver(url)], spool, TimeProvider.System))
        {
            first = await Burst(server, exporter, "down-1");
        }

        var spooled = Assert.Single(first.Export!).SamplesSpooled;
        Assert.True(spooled > 100, $"{spooled} samples spooled");
        Assert.Equal(0, first.Export![0].SamplesDelivered);
        Assert.NotEmpty(spool.Pending(url));

        // The receiver is back at the same address: the spool is replayed first, then the new run's samples follow.
        await using var receiver = await FakeReceiver.StartAsync(port);
        RunReport second;
        using (var exporter = new RemoteWriteExporter([Receiver(url)], spool, TimeProvider.System))
        {
            second = await Burst(server, exporter, "down-2");
        }

        var export = Assert.Single(second.Export!);
        Assert.Equal(spooled, export.SamplesReplayed);
        Assert.Equal(0, export.SamplesSpooled);
        Assert.Empty(spool.Pending(url));
        Assert.Equal(spooled + export.SamplesDelivered, receiver.Accepted.Sum(s => s.Samples.Count));
        var totals = receiver.Accepted.Where(s => s.Name == "guidellm_requests_total").SelectMany(s => s.Samples).ToList();
        Assert.Equal(totals.OrderBy(s => s.TimestampMs).Select(s => s.TimestampMs), totals.Select(s => s.TimestampMs));
    }

    [Fact]
    public async Task A_permanently_rejected_batch_is_counted_with_the_reason_and_the_rest_delivered()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1 });
        await using var receiver = await FakeReceiver.StartAsync();
        receiver.Then(400, body: "duplicate sample for timestamp");
        using var exporter = new RemoteWriteExporter([Receiver(receiver.Url) with { MaxSamplesPerRequest = 50 }], new SampleSpool(Path.Combine(_dir, "spool")), TimeProvider.System);

        var report = await Burst(server, exporter, "rejected");

        var export = Assert.Single(report.Export!);
        Assert.Equal(50, export.SamplesRejected);
        Assert.Contains("HTTP 400: duplicate sample for timestamp", export.Errors);
        Assert.True(export.SamplesDelivered > 0);
        Assert.Equal(0, export.SamplesSpooled);
    }

    [Fact]
    public async Task A_slow_receiver_does_not_disturb_the_burst_and_still_gets_everything()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 50, ItlMs = 2, ItlLoadFactor = 0 });
        await using var receiver = await FakeReceiver.StartAsync();
        receiver.Delay = TimeSpan.FromMilliseconds(400);
        using var exporter = new RemoteWriteExporter([Receiver(receiver.Url) with { PushInterval = TimeSpan.FromMilliseconds(100), Timeout = TimeSpan.FromSeconds(5) }], new SampleSpool(Path.Combine(_dir, "spool")), TimeProvider.System);
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Constant, Rate = 10, MaxDuration = TimeSpan.FromSeconds(2),
            Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(8)),
        };

        var report = await ExportedBurst.RunAsync(_clients, _dir, server, settings, exporter, "slow");
        var stage = report.Benchmarks[0];
        // Timers may fire a few ms early against the monotonic clock; a blocked stage would overrun by the receiver's delays.
        Assert.InRange(stage.DurationSeconds, 1.95, 2.4);
        Assert.InRange(stage.Summary.TtftMs.P50, 49, 80);
        Assert.InRange(stage.Summary.DispatchDelayMs.P50, 0, 5);
        var export = Assert.Single(report.Export!);
        Assert.Equal(0, export.SamplesSpooled);
        Assert.Equal(receiver.Accepted.Sum(s => s.Samples.Count), export.SamplesDelivered);
        Assert.True(receiver.Requests.Count >= 3);
    }
}
