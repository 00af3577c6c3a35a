using System.IO.Compression;
using System.Text.Json;
using Azure.Storage.Blobs;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Runs;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Engine.Tests.Shards;

/// <summary>
/// A run sharded across three queue workers against a real Azurite queue and blob archive, the simulator and a real
/// Prometheus: the last shard merges exactly, a missing shard leaves a partial merge, nothing runs or merges twice.
/// </summary>
public sealed class ShardedRunTests : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-shards-").FullName;
    private readonly ServiceProvider _engine = new ServiceCollection().AddGuidellmEngine(_ => { }).BuildServiceProvider();
    private AzuriteServer _azurite = null!;
    private SimulatorServer _simulator = null!;
    private TsdbServer _prometheus = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync(queue: true);
        _simulator = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1 });
        _prometheus = await TsdbServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _prometheus.DisposeAsync();
        await _simulator.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    public void Dispose()
    {
        _engine.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private BlobContainerClient Archive => new(_azurite.ConnectionString, "reports");

    /// <param name="archivePort">The archive's port: Azurite's, or a free port where nothing listens (the archive unreachable).</param>
    private string Config(int? archivePort = null)
    {
        var path = Path.Combine(_dir, archivePort is null ? "config.yaml" : "config-down.yaml");
        if (File.Exists(path))
        {
            // Written once: workers read it for every message, and rewriting it while one reads gave that worker an empty
            // or cut config (no environments: its message failed; no archive: its shard report went to its local directory).
            return path;
        }

        var archive = archivePort is { } port ? AzuriteServer.BlobConnectionString(port) : _azurite.ConnectionString;
        File.WriteAllText(path, $$"""
            environments:
              development:
                targets:
                  - { name: llama, url: "{{_simulator.V1}}", model: "{{_simulator.Options.Model}}" }
            defaults:
              profile: concurrent
              rate: 7
              max_seconds: 30
              max_requests: 90
              data_spec: "prompt_tokens=16,output_tokens=8"
            archive:
              connection: "{{archive}}"
              container: reports
            remote_write:
              - url: "{{_prometheus.WriteUrl}}"
                push_interval: 1h
            """);
        return path;
    }

    /// <summary>A worker as on its own pod: its own handler and its own local directory, sharing only the queue and the archive.</summary>
    private QueueWorker Worker(int n, out RunQueue queue, TimeProvider? time = null, string? config = null, LoadTestService? service = null)
    {
        queue = new RunQueue(_azurite.ConnectionString, "runs");
        var handler = new OnDemandRunHandler(service ?? _engine.GetRequiredService<LoadTestService>(), new ConfigSource(config ?? Config(), _azurite.ConnectionString), queue, Path.Combine(_dir, $"worker-{n}"), time: time);
        return new QueueWorker(handler);
    }

    private async Task<JsonDocument> BlobJsonAsync(string suffix)
    {
        await foreach (var blob in Archive.GetBlobsAsync())
        {
            if (blob.Name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return JsonDocument.Parse((await Archive.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString());
            }
        }

        throw new Xunit.Sdk.XunitException($"no blob ends with {suffix}");
    }

    private async Task<List<JsonElement>> RecordsAsync(string suffix)
    {
        await foreach (var blob in Archive.GetBlobsAsync())
        {
            if (blob.Name.EndsWith(suffix, StringComparison.Ordinal))
            {
                var content = (await Archive.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
                using var gzip = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
                using var reader = new StreamReader(gzip);
                var lines = new List<JsonElement>();
                while (await reader.ReadLineAsync() is { } line)
                {
                    lines.Add(JsonDocument.Parse(line).RootElement.Clone());
                }

                return lines;
            }
        }

        throw new Xunit.Sdk.XunitException($"no blob ends with {suffix}");
    }

    /// <summary>What each message of a worker became, so a failure says which shard did what and why.</summary>
    private static string Describe(WorkerSummary summary) => string.Join("; ", summary.Messages.Select(m =>
        $"message {m.MessageId}: poison={m.PoisonReason ?? "-"} error={m.Error ?? "-"} "
        + string.Join(", ", m.Outcome?.Results.Select(r => $"{r.Report.Status} ({r.Report.StatusReason ?? "-"}) saved={r.Saved is not null}") ?? [])
        + " merges=" + string.Join(" | ", m.Outcome?.Merges ?? [])));

    [Fact]
    public async Task Three_workers_run_their_shares_and_the_last_to_finish_merges_the_counts_and_histograms_exactly()
    {
        var fanOut = Worker(0, out var queue);
        var startAt = DateTimeOffset.UtcNow.AddSeconds(3);
        await queue.SendAsync($$"""{"runId":"sharded-1","environment":"development","shards":3,"startAt":"{{startAt.UtcDateTime:O}}"}""");

        Assert.True((await fanOut.RunAsync(drain: false)).Succeeded);
        var summaries = await Task.WhenAll(Enumerable.Range(1, 3).Select(n => Worker(n, out _).RunAsync(drain: false)));

        Assert.All(summaries, s => Assert.True(s.Succeeded, Describe(s)));
        var outcomes = summaries.Select(s => Assert.Single(s.Messages).Outcome!).ToList();
        Assert.True(outcomes.Count(o => o.Merges.Any(m => m.Contains("merged (3 shards)", StringComparison.Ordinal))) == 1, string.Join("\n", summaries.Select(Describe)));
        var shards = new List<JsonElement>();
        for (var i = 1; i <= 3; i++)
        {
            shards.Add((await BlobJsonAsync($"sharded-1.shard-{i}-of-3.json")).RootElement);
        }

        Assert.Equal([3, 2, 2], shards.Select(s => s.GetProperty("benchmarks")[0].GetProperty("profile").GetProperty("streams").GetInt32()));
        var merged = (await BlobJsonAsync("/sharded-1.json")).RootElement;
        var summary = merged.GetProperty("benchmarks")[0].GetProperty("summary");
        Assert.False(merged.GetProperty("partial").GetBoolean());
        Assert.Equal(7, merged.GetProperty("benchmarks")[0].GetProperty("profile").GetProperty("streams").GetInt32());
        Assert.All(merged.GetProperty("shards").EnumerateArray(), s => Assert.Equal("completed", s.GetProperty("status").GetString()));

        // How late each shard started depends on the machine's load; the merged report shows each shard's own figure.
        Assert.Equal(shards.Select(s => s.GetProperty("shard").GetProperty("startSkewMs").GetDouble()), merged.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("startSkewMs").GetDouble()));
        Assert.All(merged.GetProperty("shards").EnumerateArray(), s => Assert.True(s.GetProperty("startSkewMs").GetDouble() >= 0));
        foreach (var count in new[] { "total", "successful", "failed", "incomplete" })
        {
            Assert.Equal(shards.Sum(s => s.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty(count).GetInt64()), summary.GetProperty("requests").GetProperty(count).GetInt64());
        }

        Assert.Equal(shards.Sum(s => s.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("tokens").GetProperty("output").GetInt64()), summary.GetProperty("tokens").GetProperty("output").GetInt64());
        Assert.Equal(shards.Sum(s => s.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("itlMs").GetProperty("count").GetInt64()), summary.GetProperty("itlMs").GetProperty("count").GetInt64());

        // The merged records are the union of the shards' records; percentiles read from them agree with the merged histograms.
        var records = (await RecordsAsync("/sharded-1.requests.jsonl.gz")).Where(r => r.GetProperty("status").GetString() == "successful" && r.GetProperty("phase").GetString() == "measured").ToList();
        Assert.Equal(summary.GetProperty("requests").GetProperty("successful").GetInt64(), records.Count);
        foreach (var (field, statistic) in new[] { ("ttftMs", "ttftMs"), ("e2eMs", "e2eLatencyMs") })
        {
            var union = new Distribution();
            records.ForEach(r => union.Record(r.GetProperty(field).GetDouble()));
            var expected = union.Summarize();
            foreach (var (p, value) in new[] { ("p50", expected.P50), ("p90", expected.P90), ("p99", expected.P99) })
            {
                // One bucket of the log-linear layout is 1/512 of its power of two: 0.2%, plus the records' rounding to 1 µs.
                Assert.Equal(value, summary.GetProperty(statistic).GetProperty(p).GetDouble(), (value * 0.002) + 0.002);
            }
        }

        // Each shard pushed its own series; summed over shard they give the merged totals.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<(Dictionary<string, string> Labels, double Value)> series;
        do
        {
            series = await _prometheus.QueryAsync("max_over_time(guidellm_requests_successful_total{target=\"llama\"}[10m])", DateTimeOffset.UtcNow);
            await Task.Delay(200);
        }
        while (series.Count < 3 && DateTime.UtcNow < deadline);

        Assert.Equal(["1", "2", "3"], series.Select(s => s.Labels["shard"]).Order(StringComparer.Ordinal));
        Assert.Equal(summary.GetProperty("requests").GetProperty("successful").GetInt64(), series.Sum(s => s.Value));
    }

    [Fact]
    public async Task A_shard_that_never_reports_leaves_a_partial_merge_naming_it_and_nothing_runs_or_merges_twice()
    {
        var startAt = DateTimeOffset.UtcNow;
        const string run = """{"runId":"sharded-2","environment":"development","overrides":{"rate":3,"maxSeconds":1}}""";
        _ = Worker(0, out var queue);
        await queue.SendAsync(ShardMessages.Shard(run, 1, 3, startAt));
        await queue.SendAsync(ShardMessages.Shard(run, 3, 3, startAt));

        var summaries = await Task.WhenAll(Enumerable.Range(1, 2).Select(n => Worker(n, out _).RunAsync(drain: false)));

        Assert.All(summaries, s => Assert.Contains("2 of 3 shard reports saved (missing: shard 2); not merged yet", Assert.Single(Assert.Single(s.Messages).Outcome!.Merges), StringComparison.Ordinal));
        var sent = _simulator.GroundTruth.Total;

        // The late check comes after the shards' planned end and grace: it merges what came and names what did not.
        var late = new FakeTimeProvider(startAt + TimeSpan.FromHours(1));
        await queue.SendAsync(ShardMessages.Check(run, 3, startAt));
        Assert.True((await Worker(3, out _, late).RunAsync(drain: false)).Succeeded);
        var merged = (await BlobJsonAsync("/sharded-2.json")).RootElement;
        Assert.True(merged.GetProperty("partial").GetBoolean());
        Assert.Equal(["completed", "missing", "completed"], merged.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("status").GetString()));
        Assert.Contains("shard 2 missing", merged.GetProperty("statusReason").GetString(), StringComparison.Ordinal);

        // Shard 2 arriving now would be counted nowhere: refused. Shard 1 redelivered: not run again, not merged again.
        await queue.SendAsync(ShardMessages.Shard(run, 2, 3, startAt));
        var refused = Assert.Single((await Worker(4, out _).RunAsync(drain: false)).Messages);
        Assert.Contains("run sharded-2 is already merged; shard 2 of 3 is not run", refused.PoisonReason, StringComparison.Ordinal);
        await queue.SendAsync(ShardMessages.Shard(run, 1, 3, startAt));
        var again = Assert.Single((await Worker(1, out _).RunAsync(drain: false)).Messages).Outcome!;
        Assert.Empty(again.Results);
        Assert.Contains("development/llama", again.AlreadyRun);
        Assert.Contains("already merged", Assert.Single(again.Merges), StringComparison.Ordinal);
        Assert.Equal(sent, _simulator.GroundTruth.Total);
    }

    [Fact]
    public async Task A_shard_report_kept_locally_while_the_archive_was_down_completes_the_merge_when_it_is_uploaded()
    {
        var startAt = DateTimeOffset.UtcNow;
        const string run = """{"runId":"sharded-3","environment":"development","overrides":{"rate":3,"maxRequests":9}}""";
        _ = Worker(0, out var queue);
        await queue.SendAsync(ShardMessages.Shard(run, 3, 3, startAt));

        // Shard 3's worker cannot reach the archive: its report waits in its local pending directory; nothing is merged.
        var down = new LoadTestService(_engine.GetRequiredService<Engine.Load.RunCoordinator>(), _engine.GetRequiredService<RunStorageFactory>(), _engine.GetRequiredService<Engine.Export.RemoteWriteExporterFactory>()) { PendingRetryDelays = [] };
        var kept = Assert.Single(Assert.Single((await Worker(3, out _, config: Config(LoopbackPorts.Free()), service: down).RunAsync(drain: false)).Messages).Outcome!.Results);
        Assert.Contains("archive unreachable", kept.Saved!.Location, StringComparison.Ordinal);

        await queue.SendAsync(ShardMessages.Shard(run, 1, 3, startAt));
        await queue.SendAsync(ShardMessages.Shard(run, 2, 3, startAt));
        var summaries = await Task.WhenAll(Enumerable.Range(1, 2).Select(n => Worker(n, out _).RunAsync(drain: false)));
        Assert.All(summaries, s => Assert.Contains("2 of 3 shard reports saved (missing: shard 3); not merged yet", Assert.Single(Assert.Single(s.Messages).Outcome!.Merges), StringComparison.Ordinal));

        // The same worker, the archive back, takes its next message: the upload of shard 3 is its arrival, and it merges.
        await queue.SendAsync("""{"runId":"after-3","environment":"development","overrides":{"maxRequests":7}}""");
        var next = Assert.Single(Assert.Single((await Worker(3, out _).RunAsync(drain: false)).Messages).Outcome!.Merges);

        Assert.Contains("shard 3 of 3 of run sharded-3 delivered from the pending directory: development/llama: run sharded-3 merged (3 shards)", next, StringComparison.Ordinal);
        var merged = (await BlobJsonAsync("/sharded-3.json")).RootElement;
        Assert.False(merged.GetProperty("partial").GetBoolean());
        Assert.Equal(9, merged.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty("successful").GetInt64());
    }
}
