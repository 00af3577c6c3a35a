using System.IO.Compression;
using System.Text.Json;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Slo;
using GuidellmFunctions.Simulator;
using GuidellmFunctions.Simulator.Faults;

namespace GuidellmFunctions.Engine.Tests.Slo;

/// <summary>
/// A real run against the simulator with an SLO some requests miss (a batch of 2 under 4 streams queues half of them)
/// and some failures: <c>summary.slo</c>, the saved report and the pushed counters agree with a hand count from the
/// per-request file.
/// </summary>
public sealed class SloRunTests : IDisposable
{
    private readonly TargetTransportFactory _clients = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-slo-").FullName;

    public void Dispose()
    {
        _clients.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Summary_slo_and_goodput_equal_a_hand_count_from_the_per_request_file()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            TtftMs = 20, ItlMs = 2, ItlLoadFactor = 0, MaxBatch = 2, Seed = 5, Faults = [FaultRule.Parse("http_500=0.1")],
        });
        var slo = new SloObjectives(TtftMs: 45, ItlMs: 10, E2eMs: null, Attainment: 0.9);
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = 4, MaxDuration = TimeSpan.FromSeconds(60), MaxRequests = 80,
            Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(16)),
        }.Set(SettingsTable.Slo, slo);
        var target = new ResolvedTarget("dev", new TargetConfig { Name = "sim", Url = server.V1, Model = server.Options.Model }, settings);
        var results = await new RunCoordinator(new LoadTestRunner(_clients, new PromptGenerator(), TimeProvider.System))
            .RunAsync([target], "slo-1", RunTrigger.Cli, new LocalReportStore(Path.Combine(_dir, "out")), Path.Combine(_dir, "staging"), null, CancellationToken.None);

        var result = Assert.Single(results);
        var summary = result.Report.Benchmarks[0].Summary;
        var s = Assert.IsType<SloSummary>(summary.Slo);
        var (evaluated, conforming, tokens, successful) = await HandCountAsync(result.Saved!.Location!.Replace(".json", ReportLayout.RequestsSuffix, StringComparison.Ordinal), slo);
        Assert.Equal(evaluated, s.Evaluated);
        Assert.Equal(conforming, s.Conforming);
        Assert.InRange(conforming, 1, evaluated - 1);
        Assert.True(evaluated > successful, "some failures were evaluated");
        Assert.Equal(conforming / (double)evaluated, s.Attainment!.Value, 12);
        Assert.Equal(s.Attainment >= 0.9, s.Met);
        var seconds = successful / summary.Throughput.RequestsPerSecond;
        Assert.Equal(conforming / seconds, s.RequestGoodput, 6);
        Assert.Equal(tokens / seconds, s.TokenGoodput, 6);
        Assert.Equal(slo, s.Objectives);

        using var saved = JsonDocument.Parse(await File.ReadAllTextAsync(result.Saved.Location));
        var json = saved.RootElement.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("slo");
        Assert.Equal(
            ["objectives", "evaluated", "conforming", "attainment", "requestGoodput", "tokenGoodput", "met"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(45, json.GetProperty("objectives").GetProperty("ttftMs").GetDouble());

        // The report's series are the pushed ones (SeriesRecorder, which every run has, records them as the exporter does).
        var series = result.Report.Series!.Where(x => x.Name.StartsWith("guidellm_slo_", StringComparison.Ordinal)).ToDictionary(x => x.Name, x => x.Value);
        Assert.Equal(evaluated, series[RunnerMetrics.SloEvaluated.Name]);
        Assert.Equal(conforming, series[RunnerMetrics.SloConforming.Name]);
        Assert.Equal(0.9, series[RunnerMetrics.SloAttainmentTarget.Name]);
    }

    [Fact]
    public void A_capacity_search_does_not_feed_the_slo_counters_its_probes_miss_on_purpose()
    {
        var slo = new SloObjectives(TtftMs: 45, ItlMs: null, E2eMs: null);
        var constant = new BenchmarkSettings { Profile = ProfileKind.Constant, Rate = 4 }.Set(SettingsTable.Slo, slo);
        var capacity = constant with { Profile = ProfileKind.Capacity };

        Assert.Equal(slo, RequestMetrics.CountedSlo(constant));
        Assert.Null(RequestMetrics.CountedSlo(capacity));
        var target = new ResolvedTarget("dev", new TargetConfig { Name = "sim", Url = new Uri("http://127.0.0.1:1/v1"), Model = "m" }, capacity);
        Assert.DoesNotContain(new BurstMetrics(target).Snapshot(0), x => x.Labels.Any(l => l.Value.StartsWith("guidellm_slo_", StringComparison.Ordinal)));
    }

    /// <summary>Counts the measured, complete requests of the file and those within every objective, as docs/metrics.md defines them.</summary>
    private static async Task<(long Evaluated, long Conforming, long Tokens, long Successful)> HandCountAsync(string path, SloObjectives slo)
    {
        long evaluated = 0, conforming = 0, tokens = 0, successful = 0;
        await using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        while (await reader.ReadLineAsync() is { } line)
        {
            var r = JsonDocument.Parse(line).RootElement;
            var status = r.GetProperty("status").GetString();
            if (r.GetProperty("phase").GetString() != "measured" || status == "incomplete")
            {
                continue;
            }

            evaluated++;
            if (status != "successful")
            {
                continue;
            }

            successful++;
            var ttftOk = r.TryGetProperty("ttftMs", out var ttft) && ttft.GetDouble() <= slo.TtftMs;
            var tpotOk = !r.TryGetProperty("tpotMs", out var tpot) || tpot.GetDouble() <= slo.ItlMs;
            if (ttftOk && tpotOk)
            {
                conforming++;
                tokens += r.GetProperty("outputTokens").GetInt64();
            }
        }

        return (evaluated, conforming, tokens, successful);
    }
}
