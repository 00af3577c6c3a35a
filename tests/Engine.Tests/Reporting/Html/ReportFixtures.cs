using System.Text.Json;
using System.Text.Json.Nodes;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;
using GuidellmFunctions.Simulator.Faults;

namespace GuidellmFunctions.Engine.Tests.Reporting.Html;

/// <summary>
/// Reports to draw, made once for the collection: a real sweep against the simulator (latency rising with load, a few
/// 503s) and a real run against a closed port, saved by the real store (so their pages and the day index are the
/// store's); and from the sweep, a report with every section other features add (SLO, capacity, verdict, server,
/// validity, time to first answer token, turns, shards), a slower baseline, and an old-format report.
/// </summary>
public sealed class ReportFixtures : IAsyncLifetime
{
    public const string RunId = "20261201T020000Z-pages";

    private readonly TempDirectory _dir = new();

    public string Root => _dir.Path;

    /// <summary>The sweep as the store saved it.</summary>
    public string Sweep { get; private set; } = string.Empty;

    /// <summary>The run whose every request failed (connection refused).</summary>
    public string Failed { get; private set; } = string.Empty;

    /// <summary>The sweep with every section the design names.</summary>
    public string Full { get; private set; } = string.Empty;

    /// <summary>A baseline for <see cref="Full"/>: the same sweep 25% slower, with its records.</summary>
    public string Baseline { get; private set; } = string.Empty;

    /// <summary>The sweep as an older runner wrote it: no schemaVersion, no histograms, no records, no throughput tokens.</summary>
    public string Old { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        using var clients = new TargetTransportFactory();
        var runner = new LoadTestRunner(clients, new PromptGenerator(), TimeProvider.System);
        var store = new LocalReportStore(Path.Combine(Root, "runs"));
        await using (var server = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            TtftMs = 10, ItlMs = 2, MaxBatch = 4, Seed = 5, Faults = [FaultRule.Parse("http_503=0.04")],
        }))
        {
            var sweep = new BenchmarkSettings
            {
                Profile = ProfileKind.Sweep, SweepSize = 4, MaxDuration = TimeSpan.FromSeconds(1), MaxConcurrency = 8,
                Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(8)),
            };
            var target = new ResolvedTarget("pages", new TargetConfig { Name = "sim-sweep", Url = server.V1, Model = server.Options.Model }, sweep);
            var saved = await new RunCoordinator(runner).RunAsync([target], RunId, RunTrigger.Cli, store, Path.Combine(Root, ".staging"), null, CancellationToken.None);
            Sweep = saved[0].Saved!.Location;
        }

        var closed = new BenchmarkSettings { Profile = ProfileKind.Synchronous, MaxDuration = TimeSpan.FromSeconds(30), MaxRequests = 6 };
        var dead = new ResolvedTarget("pages", new TargetConfig { Name = "dead", Url = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}/v1"), Model = "m" }, closed);
        Failed = (await new RunCoordinator(runner).RunAsync([dead], RunId, RunTrigger.Cli, store, Path.Combine(Root, ".staging"), null, CancellationToken.None))[0].Saved!.Location;

        var sweepJson = JsonNode.Parse(await File.ReadAllTextAsync(Sweep))!.AsObject();
        var records = Sweep[..^".json".Length] + ReportLayout.RequestsSuffix;
        Full = Write("full", RunId, WithEverySection(sweepJson.DeepClone().AsObject()), records);
        Baseline = Write("baseline", "20261130T020000Z-base", Slower(sweepJson.DeepClone().AsObject(), "20261130T020000Z-base"), records);
        Old = Write("old", RunId, Older(sweepJson.DeepClone().AsObject()), null);
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Writes <paramref name="name"/>'s own text to a file and returns its path.</summary>
    public string WriteFile(string name, string text) => _dir.Write(name, text);

    private string Write(string folder, string runId, JsonObject report, string? records)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Root, folder)).FullName;
        var path = Path.Combine(dir, runId + ".json");
        File.WriteAllText(path, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (records is not null)
        {
            File.Copy(records, Path.Combine(dir, runId + ReportLayout.RequestsSuffix));
        }

        return path;
    }

    private static JsonObject WithEverySection(JsonObject report)
    {
        var stages = report["benchmarks"]!.AsArray();
        var probes = new JsonArray();
        double? capacity = null, firstFailing = null;
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i]!.AsObject();
            var summary = stage["summary"]!.AsObject();
            var ok = summary["requests"]!["successful"]!.GetValue<long>();
            var conforming = i == 1 ? ok / 2 : ok - (ok / 10);
            var seconds = stage["measuredSeconds"]!.GetValue<double>();
            summary["slo"] = new JsonObject
            {
                ["objectives"] = new JsonObject { ["ttft_ms"] = 60, ["itl_ms"] = 8, ["e2e_ms"] = 400, ["attainment"] = 0.85 },
                ["evaluated"] = ok,
                ["conforming"] = conforming,
                ["attainment"] = ok == 0 ? 0 : conforming / (double)ok,
                ["requestGoodput"] = conforming / seconds,
                ["tokenGoodput"] = conforming * 8 / seconds,
                ["met"] = ok > 0 && conforming / (double)ok >= 0.85,
            };
            var ttft = summary["ttftMs"]!.AsObject();
            summary["ttfoMs"] = Shifted(ttft, 4);
            summary["turns"] = new JsonArray(
                new JsonObject { ["turn"] = 0, ["requests"] = new JsonObject { ["successful"] = ok / 2 }, ["ttftMs"] = ttft.DeepClone(), ["e2eLatencyMs"] = summary["e2eLatencyMs"]!.DeepClone() },
                new JsonObject { ["turn"] = 1, ["requests"] = new JsonObject { ["successful"] = ok - (ok / 2) }, ["ttftMs"] = Shifted(ttft, 2), ["e2eLatencyMs"] = summary["e2eLatencyMs"]!.DeepClone() });
            stage["server"] = new JsonObject
            {
                ["source"] = "http://127.0.0.1/metrics",
                ["requests"] = ok,
                ["promptTokens"] = ok * 16,
                ["outputTokens"] = ok * 8,
                ["ttftMs"] = Server(ttft, 0.8),
                ["e2eLatencyMs"] = Server(summary["e2eLatencyMs"]!.AsObject(), 0.95),
                ["queueTimeMs"] = new JsonObject { ["mean"] = 3.5, ["p50"] = 2.0, ["p95"] = 9.0, ["p99"] = 12.0 },
                ["prefixCacheHitRate"] = 0.42,
                ["kvCacheUsageMax"] = 0.31,
                ["runningMax"] = 4,
                ["waitingMax"] = i == 1 ? 4 : 0,
                ["preemptions"] = 0,
            };
            stage["clientMinusServer"] = new JsonObject
            {
                ["ttftMs"] = new JsonObject { ["p50"] = 1.9, ["p95"] = 3.1 },
                ["e2eLatencyMs"] = new JsonObject { ["p50"] = 2.2, ["p95"] = 3.8 },
            };
            stage["validity"] = i == 1
                ? new JsonObject { ["valid"] = false, ["reasons"] = new JsonArray("runner CPU above 90% of a core"), ["cpuShare"] = 0.97, ["dispatchDelayP99Ms"] = 14.2 }
                : new JsonObject { ["valid"] = true, ["reasons"] = new JsonArray(), ["cpuShare"] = 0.21, ["dispatchDelayP99Ms"] = 0.4 };
            if (stage["profile"]!["rate"] is { } rate)
            {
                var met = summary["slo"]!["met"]!.GetValue<bool>();
                probes.Add(new JsonObject { ["load"] = rate.GetValue<double>(), ["attainment"] = summary["slo"]!["attainment"]!.GetValue<double>(), ["met"] = met, ["stopReason"] = met ? "max_seconds" : "oversaturated" });
                if (met)
                {
                    capacity = rate.GetValue<double>();
                }
                else
                {
                    firstFailing ??= rate.GetValue<double>();
                }
            }
        }

        report["capacity"] = new JsonObject { ["by"] = "rate", ["max"] = capacity, ["firstFailing"] = firstFailing, ["targetAttainment"] = 0.85, ["probes"] = probes };
        report["verdict"] = new JsonObject
        {
            ["baselineRunId"] = "20261130T020000Z-base",
            ["result"] = "improved",
            ["metrics"] = new JsonArray(
                new JsonObject { ["name"] = "ttft_p50", ["baseline"] = 30.1, ["current"] = 24.0, ["change"] = -0.203, ["low"] = -0.25, ["high"] = -0.15, ["result"] = "improved" },
                new JsonObject { ["name"] = "tpot_p95", ["baseline"] = 2.9, ["current"] = 2.95, ["change"] = 0.017, ["low"] = -0.02, ["high"] = 0.05, ["result"] = "unchanged" },
                new JsonObject { ["name"] = "throughput", ["baseline"] = 40.0, ["current"] = 36.0, ["change"] = -0.1, ["low"] = -0.14, ["high"] = -0.07, ["result"] = "regressed" }),
        };
        report["shards"] = new JsonArray(
            new JsonObject { ["index"] = 0, ["status"] = "completed", ["startSkewMs"] = 0.0 },
            new JsonObject { ["index"] = 1, ["status"] = "completed", ["startSkewMs"] = 41.5 },
            new JsonObject { ["index"] = 2, ["status"] = "lost", ["startSkewMs"] = null });
        report["config"]!["slo"] = new JsonObject { ["ttft_ms"] = 60, ["itl_ms"] = 8, ["e2e_ms"] = 400, ["attainment"] = 0.85 };
        return report;
    }

    private static JsonObject Shifted(JsonObject stat, double by)
    {
        var copy = new JsonObject();
        foreach (var (name, value) in stat)
        {
            copy[name] = name is "count" or "stdDev" or "histogram" ? value?.DeepClone() : value!.GetValue<double>() + by;
        }

        copy.Remove("histogram");
        return copy;
    }

    private static JsonObject Server(JsonObject client, double factor) => new()
    {
        ["mean"] = client["mean"]!.GetValue<double>() * factor,
        ["p50"] = client["p50"]!.GetValue<double>() * factor,
        ["p95"] = client["p95"]!.GetValue<double>() * factor,
        ["p99"] = client["p99"]!.GetValue<double>() * factor,
    };

    private static JsonObject Slower(JsonObject report, string runId)
    {
        report["runId"] = runId;
        report["startedAt"] = "2026-11-30T02:00:00+00:00";
        report["requestsFile"] = runId + ReportLayout.RequestsSuffix;
        foreach (var stage in report["benchmarks"]!.AsArray())
        {
            var summary = stage!["summary"]!.AsObject();
            foreach (var key in (string[])["ttftMs", "itlMs", "tpotMs", "e2eLatencyMs"])
            {
                var stat = summary[key]!.AsObject();
                foreach (var p in (string[])["mean", "min", "max", "p50", "p90", "p95", "p99", "p999"])
                {
                    stat[p] = stat[p]!.GetValue<double>() * 1.25;
                }

                stat.Remove("histogram");
            }

            summary["throughput"]!["requestsPerSecond"] = summary["throughput"]!["requestsPerSecond"]!.GetValue<double>() * 0.8;
        }

        return report;
    }

    private static JsonObject Older(JsonObject report)
    {
        report.Remove("schemaVersion");
        report.Remove("requestsFile");
        report.Remove("series");
        foreach (var stage in report["benchmarks"]!.AsArray())
        {
            var summary = stage!["summary"]!.AsObject();
            foreach (var (_, stat) in summary.ToList())
            {
                (stat as JsonObject)?.Remove("histogram");
            }

            summary["throughput"]!.AsObject().Remove("totalTokensPerSecond");
            summary.Remove("concurrency");
            stage.AsObject().Remove("measuredSeconds");
            stage.AsObject().Remove("server");
            stage.AsObject().Remove("clientMinusServer");
            stage.AsObject().Remove("validity");
        }

        return report;
    }
}
