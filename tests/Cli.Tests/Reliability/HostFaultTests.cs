using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Cli.Tests.Reliability;

/// <summary>
/// The runner process signalled mid-burst, as Kubernetes or an operator would: SIGTERM drains within the grace period
/// and saves the partial report; SIGKILL loses only the burst in flight, and what earlier runs left pending (a report
/// storage refused, samples a receiver refused) survives and is delivered by the next run.
/// </summary>
public sealed class HostFaultTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-host-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(SimulatorServer simulator, string extra, double maxSeconds) => WriteConfig($$"""
        environments:
          host:
            targets:
              - { name: llama, url: "{{simulator.V1}}", model: "{{simulator.Options.Model}}" }
        defaults:
          profile: constant
          rate: 20
          max_seconds: {{maxSeconds}}
          data_spec: "prompt_tokens=16,output_tokens=8"
        {{extra}}
        """);

    private string WriteConfig(string yaml)
    {
        var path = Path.Combine(_dir, $"config-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static async Task UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "condition not met in time");
    }

    [Fact]
    public async Task Sigterm_cancels_the_burst_and_saves_the_partial_report_within_the_grace_period()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 20, ItlMs = 5 });
        var output = Path.Combine(_dir, "out");
        using var runner = RunnerProcess.Start(new Dictionary<string, string> { ["GUIDELLM_SHUTDOWN_GRACE"] = "10s" },
            "run", "--config", Config(simulator, string.Empty, 300), "--environment", "host", "--output", output, "--run-id", "term-1");
        await UntilAsync(() => simulator.GroundTruth.Total >= 10, TimeSpan.FromSeconds(60));

        var signalled = DateTime.UtcNow;
        runner.Signal("TERM");
        var exit = await runner.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(exit is not null, "did not exit after SIGTERM:\n" + runner.Output);
        Assert.True(DateTime.UtcNow - signalled < TimeSpan.FromSeconds(10), $"took {DateTime.UtcNow - signalled} to exit");
        Assert.Equal(1, exit);
        var report = Assert.Single(Directory.GetFiles(output, "term-1.json", SearchOption.AllDirectories));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        Assert.Equal("cancelled", json.RootElement.GetProperty("status").GetString());
        Assert.True(json.RootElement.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty("successful").GetInt32() >= 5);
    }

    [Fact]
    public async Task Sigkill_mid_burst_keeps_earlier_pending_reports_and_spooled_samples_for_the_next_run()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 10, ItlMs = 2 });
        var storagePort = LoopbackPorts.Free();
        var receiverPort = LoopbackPorts.Free();
        var output = Path.Combine(_dir, "out");
        var down = $$"""
            archive:
              connection: "{{AzuriteServer.BlobConnectionString(storagePort)}}"
            remote_write:
              - url: "http://127.0.0.1:{{receiverPort}}/api/v1/write"
                push_interval: 1s
            """;

        // Run 1 completes while storage and the receiver are down: its report is kept and its samples spooled.
        using (var first = RunnerProcess.Start(new Dictionary<string, string>(), "run", "--config", Config(simulator, down, 2), "--environment", "host", "--output", output, "--run-id", "kept-1"))
        {
            Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(120)) is not null, first.Output);
        }

        var pending = Directory.GetFiles(Path.Combine(output, ".pending"), "*", SearchOption.AllDirectories).Order().ToList();
        var spooled = Directory.GetFiles(Path.Combine(output, ".spool"), "*", SearchOption.AllDirectories).Order().ToList();
        Assert.Contains(pending, p => p.EndsWith("kept-1.json", StringComparison.Ordinal));
        Assert.NotEmpty(spooled);

        // Run 2 is killed mid-burst.
        using (var killed = RunnerProcess.Start(new Dictionary<string, string>(), "run", "--config", Config(simulator, down, 300), "--environment", "host", "--output", output, "--run-id", "killed-2"))
        {
            var before = simulator.GroundTruth.Total;
            await UntilAsync(() => simulator.GroundTruth.Total >= before + 20, TimeSpan.FromSeconds(60));
            killed.Signal("KILL");
            Assert.Equal(137, await killed.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.All(pending, p => Assert.True(File.Exists(p), p + " lost"));
        Assert.All(spooled, p => Assert.True(File.Exists(p), p + " lost"));
        Assert.All(Directory.GetFiles(Path.Combine(output, ".spool"), "*", SearchOption.AllDirectories), f => Assert.DoesNotContain(".tmp", f, StringComparison.Ordinal));

        // Run 3, with storage and receiver back, delivers what run 1 left.
        await using var azurite = await AzuriteServer.StartAsync(storagePort);
        await using var receiver = await FakeReceiver.StartAsync(receiverPort);
        using (var third = RunnerProcess.Start(new Dictionary<string, string>(), "run", "--config", Config(simulator, down, 2), "--environment", "host", "--output", output, "--run-id", "after-3"))
        {
            Assert.Equal(0, await third.WaitAsync(TimeSpan.FromSeconds(120)));
            Assert.Contains("1 pending report(s) of earlier runs uploaded", third.Output, StringComparison.Ordinal);
        }

        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("guidellm-reports");
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, "host/", CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        Assert.Contains(names, n => n.EndsWith("/kept-1.json", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith("/after-3.json", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.Contains("killed-2", StringComparison.Ordinal));
        var runsTotal = receiver.Accepted.Where(s => s.Labels.Any(l => l is { Key: "__name__", Value: "guidellm_benchmark_runs_total" })).ToList();
        Assert.True(runsTotal.Sum(s => s.Samples.Count(p => p.Value == 1)) >= 2, "run 1's replayed samples and run 3's own");
    }
}
