using System.Text.Json;
using Azure.Storage.Blobs;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// Azurite (blob and queue), a real Prometheus and a simulator that serves one request at a time, with a config of one
/// target (<c>development/llama</c>) whose runs are capacity searches under a TTFT SLO, archived to that Azurite and
/// pushed to that Prometheus: what the hosts' capacity-and-verdict tests run.
/// </summary>
/// <remarks>
/// With a batch of 1 a request of 16 output tokens holds the server about 55 ms (TTFT 10 ms, ITL 3 ms): one stream meets
/// a 30 ms TTFT, two streams make nearly every request wait for the other and miss it. The capacity is therefore 1 stream,
/// the first failing load 2, found in two probes of 2.5 s whose 2 measured seconds give the verdict enough requests.
/// </remarks>
public sealed class CapacityVerdictTargets : IAsyncDisposable
{
    private CapacityVerdictTargets(AzuriteServer azurite, SimulatorServer simulator, TsdbServer prometheus, string configPath)
    {
        Azurite = azurite;
        Simulator = simulator;
        Prometheus = prometheus;
        ConfigPath = configPath;
    }

    public AzuriteServer Azurite { get; }

    public SimulatorServer Simulator { get; }

    public TsdbServer Prometheus { get; }

    /// <summary>The config file, written in the directory given to <see cref="StartAsync"/>.</summary>
    public string ConfigPath { get; }

    /// <summary>The reports container.</summary>
    public BlobContainerClient Archive => new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient("guidellm-reports");

    public static async Task<CapacityVerdictTargets> StartAsync(string dir)
    {
        var azurite = await AzuriteServer.StartAsync(queue: true);
        var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 10, ItlMs = 3, ItlLoadFactor = 0, MaxBatch = 1 });
        var prometheus = await TsdbServer.StartAsync();
        var config = Path.Combine(dir, "capacity.yaml");
        await File.WriteAllTextAsync(config, $$"""
            environments:
              development:
                targets:
                  - { name: llama, url: "{{simulator.V1}}", model: "{{simulator.Options.Model}}" }
            defaults:
              profile: capacity
              rate: 1
              max_seconds: 2.5
              warmup: 0.5
              max_requests: 1000000
              capacity_max_probes: 3
              slo: { ttft_ms: 30, attainment: 0.9 }
              data_spec: "prompt_tokens=16,output_tokens=16"
            archive:
              connection: "{{azurite.ConnectionString}}"
              container: guidellm-reports
            remote_write:
              - url: "{{prometheus.WriteUrl}}"
                push_interval: 1h
            """);
        return new CapacityVerdictTargets(azurite, simulator, prometheus, config);
    }

    /// <summary>
    /// Asserts that each run of <paramref name="runIds"/> (in the order they ran) was archived with the capacity the
    /// simulator allows and a verdict against the run before it (the first: against <paramref name="firstBaseline"/>,
    /// or no baseline when null), and that Prometheus holds the capacity gauge and the verdict gauges.
    /// </summary>
    public async Task AssertLandedAsync(string? firstBaseline, params string[] runIds)
    {
        var reports = await ArchivedTargets.ReportsAsync(Archive);
        string? baseline = firstBaseline;
        foreach (var runId in runIds)
        {
            var name = Assert.Single(reports, r => r.EndsWith($"/{runId}.json", StringComparison.Ordinal));
            using var json = JsonDocument.Parse((await Archive.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString());
            var capacity = json.RootElement.GetProperty("capacity");
            Assert.True(capacity.GetProperty("by").GetString() == "concurrency" && capacity.GetProperty("max").GetDouble() == 1 && capacity.GetProperty("firstFailing").GetDouble() == 2, $"{runId}: {capacity}");
            var verdict = json.RootElement.GetProperty("verdict");
            if (baseline is null)
            {
                Assert.True(verdict.GetProperty("result").GetString() == "no_baseline", $"{runId}: {verdict}");
            }
            else
            {
                Assert.True(verdict.GetProperty("baselineRunId").GetString() == baseline, $"{runId}: {verdict}");
                Assert.True(verdict.GetProperty("result").GetString() is "unchanged" or "regressed" or "improved", $"{runId}: {verdict}");
                Assert.NotEqual(0, verdict.GetProperty("metrics").GetArrayLength());
            }

            baseline = runId;
        }

        var now = DateTimeOffset.UtcNow;
        var capacities = await Prometheus.QueryAsync("max_over_time(guidellm_capacity{environment=\"development\",target=\"llama\"}[10m])", now);
        var gauge = Assert.Single(capacities);
        Assert.Equal("concurrency", gauge.Labels["by"]);
        Assert.Equal(1, gauge.Value);
        var results = await Prometheus.QueryAsync("max_over_time(guidellm_verdict_result{environment=\"development\",target=\"llama\"}[10m])", now);
        var changes = await Prometheus.QueryAsync("max_over_time(guidellm_verdict_change_ratio{environment=\"development\",target=\"llama\"}[10m])", now);
        Assert.NotEmpty(results);
        Assert.Equal(results.Select(r => r.Labels["metric"]).Order(), changes.Select(c => c.Labels["metric"]).Order());
    }

    public async ValueTask DisposeAsync()
    {
        await Prometheus.DisposeAsync();
        await Simulator.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
