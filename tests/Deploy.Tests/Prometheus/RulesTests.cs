using GuidellmFunctions.Deploy.Tests.Support;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Deploy.Tests.Prometheus;

/// <summary>
/// deploy/prometheus checked and unit-tested by promtool (classic buckets: promtool 2.42 cannot write native histogram
/// input), and its quantile rules evaluated by a real Prometheus holding native histograms for one target and classic
/// buckets only for another.
/// </summary>
public sealed class RulesTests
{
    [Fact]
    public async Task The_rules_pass_promtool_check()
    {
        var result = await Tool.RunAsync("promtool", ["check", "rules", Repository.PathOf("deploy", "prometheus", "guidellm.rules.yml")]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("SUCCESS: 27 rules found", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_alert_is_unit_tested_firing_and_not_firing()
    {
        var tests = Repository.PathOf("deploy", "prometheus", "tests", "guidellm.rules.test.yml");
        var text = await File.ReadAllTextAsync(tests);
        foreach (var alert in (string[])["GuidellmRunFailed", "GuidellmNoRecentRun", "GuidellmErrorRatioHigh", "GuidellmTtftP95Regressed", "GuidellmSloBudgetBurning", "GuidellmRunRegressed", "GuidellmCapacityDropped", "GuidellmStageNotValid"])
        {
            Assert.Contains("alertname: " + alert, text, StringComparison.Ordinal);
        }

        var result = await Tool.RunAsync("promtool", ["test", "rules", tests], workingDirectory: Path.GetDirectoryName(tests));

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("SUCCESS", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_quantile_rules_read_the_native_histogram_where_there_is_one_and_the_classic_buckets_elsewhere()
    {
        var dir = Directory.CreateTempSubdirectory("guidellm-rules-").FullName;
        using var clients = new TargetTransportFactory();
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 120, ItlMs = 20, ItlLoadFactor = 0 });
        await using var prometheus = await TsdbServer.StartAsync(nativeHistograms: true);
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = 4, MaxDuration = TimeSpan.FromSeconds(60), MaxRequests = 8,
            Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(16)),
        };
        RemoteWriteExporter Exporter(bool native) => new([new RemoteWriteConfig { Url = prometheus.WriteUrl, PushInterval = TimeSpan.FromSeconds(1), NativeHistograms = native }], new SampleSpool(Path.Combine(dir, "spool")), TimeProvider.System);
        using var nativeExporter = Exporter(native: true);
        using var classicExporter = Exporter(native: false);
        var reports = await Task.WhenAll(
            ExportedBurst.RunAsync(clients, dir, simulator, settings, nativeExporter, "rules-native", "prod", "native"),
            ExportedBurst.RunAsync(clients, dir, simulator, settings, classicExporter, "rules-classic", "prod", "classic"));
        var end = (await prometheus.RawAsync("guidellm_requests_total[10m]", DateTimeOffset.UtcNow)).Max(s => s.Samples[^1].At);

        var rules = Rules().Where(r => r.Record.EndsWith("_5m", StringComparison.Ordinal) && r.Record.Contains(":p", StringComparison.Ordinal)).ToList();
        Assert.Equal(13, rules.Count);
        foreach (var (record, expr) in rules)
        {
            // guidellm:ttft_seconds:p95_5m reads guidellm_ttft_seconds at 0.95.
            var family = "guidellm_" + record.Split(':')[1];
            var q = "0." + record.Split(':')[2][1..3];
            var results = (await prometheus.QueryAsync(expr, end)).ToDictionary(r => r.Labels["target"], r => r.Value);
            var native = Assert.Single(await prometheus.QueryAsync($"histogram_quantile({q}, sum(rate({family}{{target=\"native\"}}[5m])))", end)).Value;
            var classic = Assert.Single(await prometheus.QueryAsync($"histogram_quantile({q}, sum by (le) (rate({family}_bucket{{target=\"classic\"}}[5m])))", end)).Value;
            Assert.Equal(native, results["native"]);
            Assert.Equal(classic, results["classic"]);
        }

        var ttft = (await prometheus.QueryAsync(rules.Single(r => r.Record == "guidellm:ttft_seconds:p95_5m").Expr, end)).ToDictionary(r => r.Labels["target"], r => r.Value);
        Assert.InRange(ttft["native"], reports[0].Benchmarks[0].Summary.TtftMs.P95 / 1000 * 0.97, reports[0].Benchmarks[0].Summary.TtftMs.P95 / 1000 * 1.03);
        Assert.InRange(ttft["classic"], reports[1].Benchmarks[0].Summary.TtftMs.P95 / 1000 * 0.9, reports[1].Benchmarks[0].Summary.TtftMs.P95 / 1000 * 1.1);
        Directory.Delete(dir, recursive: true);
    }

    private static IEnumerable<(string Record, string Expr)> Rules()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Repository.PathOf("deploy", "prometheus", "guidellm.rules.yml"))));
        foreach (YamlMappingNode group in (YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode)["groups"])
        {
            foreach (YamlMappingNode rule in (YamlSequenceNode)group["rules"])
            {
                if (rule.Children.TryGetValue("record", out var record))
                {
                    yield return (((YamlScalarNode)record).Value!, ((YamlScalarNode)rule["expr"]).Value!);
                }
            }
        }
    }
}
