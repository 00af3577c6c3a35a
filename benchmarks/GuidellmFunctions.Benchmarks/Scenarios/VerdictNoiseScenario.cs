using System.Globalization;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Verdicts;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// Issue 18's check that the verdict does not cry wolf: short runs of one unchanged simulator config, one after another,
/// each judged against the last valid one before it at the default threshold (unchanged expected), and after each a run against the
/// same config with a 20% slower ITL judged against it (regressed expected). Prints "unchanged x/N" and
/// "regressed-when-slower y/N", and on stderr each pair's metrics, so a wrong call can be traced to its metric.
/// </summary>
internal static class VerdictNoiseScenario
{
    private const double ItlMs = 5;

    public static async Task RunAsync(Suite suite)
    {
        var pairs = suite.Quick ? 5 : 20;
        var seconds = 3;
        await using var same = await SimulatorProcess.StartAsync(Server(ItlMs));
        await using var slower = await SimulatorProcess.StartAsync(Server(ItlMs * 1.2));
        var dir = Directory.CreateTempSubdirectory("guidellm-verdict-noise-").FullName;
        try
        {
            using var clients = new TargetTransportFactory();
            var coordinator = new RunCoordinator(new LoadTestRunner(clients, new PromptGenerator(), TimeProvider.System));
            var store = new LocalReportStore(Path.Combine(dir, "out"));
            async Task<string> RunAsync(Uri v1)
            {
                var settings = new BenchmarkSettings
                {
                    Profile = ProfileKind.Concurrent, Rate = 8, MaxDuration = TimeSpan.FromSeconds(seconds), MaxRequests = 1_000_000,
                    Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(32)),
                };
                var target = new ResolvedTarget("bench", new TargetConfig { Name = "noise", Url = v1, Model = Burst.Model }, settings);
                var run = await coordinator.RunAsync([target], RunIds.New(TimeProvider.System), RunTrigger.Cli, store, Path.Combine(dir, "staging"), null, CancellationToken.None).ConfigureAwait(false);
                return run[0].Saved!.Location!;
            }

            int unchanged = 0, regressed = 0, wrongWithInvalid = 0, incomparable = 0;
            var wrong = new Dictionary<string, int>(StringComparer.Ordinal);
            var previous = await RunAsync(same.V1).ConfigureAwait(false);
            for (var i = 0; i < pairs; i++)
            {
                var current = await RunAsync(same.V1).ConfigureAwait(false);
                var slow = await RunAsync(slower.V1).ConfigureAwait(false);
                var calm = await JudgeAsync(current, previous).ConfigureAwait(false);
                var worse = await JudgeAsync(slow, current).ConfigureAwait(false);
                var invalid = (await InvalidAsync(current).ConfigureAwait(false)) + (await InvalidAsync(previous).ConfigureAwait(false));
                unchanged += calm.Result == "unchanged" ? 1 : 0;
                incomparable += calm.Result == "incomparable" ? 1 : 0;
                wrongWithInvalid += calm.Result is "regressed" or "improved" && invalid.Length > 0 ? 1 : 0;
                regressed += worse.Result == "regressed" ? 1 : 0;
                foreach (var m in calm.Metrics.Where(m => m.Result != "unchanged"))
                {
                    wrong[m.Name] = wrong.GetValueOrDefault(m.Name) + 1;
                }

                await Console.Error.WriteLineAsync($"pair {i + 1}: same {calm.Result} [{Describe(calm)}]{invalid}; slower {worse.Result} [{Describe(worse)}]{await InvalidAsync(slow).ConfigureAwait(false)}").ConfigureAwait(false);
                // As the baseline lookup does, a run with a stage not valid is never the next run's baseline.
                if ((await InvalidAsync(current).ConfigureAwait(false)).Length == 0)
                {
                    previous = current;
                }
            }

            var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg").ConfigureAwait(false)).Split(' ')[0] : "-";
            suite.Table($"12. Verdict noise: {seconds}-second runs, 8 streams, TTFT 20 ms, ITL {ItlMs} ms, default threshold (issue 18)",
                ["pairs", "unchanged (same config)", "incomparable (a stage not valid)", "regressed-when-slower (ITL +20%)", "metrics wrongly called (same config)", "of those, pairs with a stage not valid", "load average at the end"],
                [[
                    pairs.ToString(CultureInfo.InvariantCulture), $"{unchanged}/{pairs}", $"{incomparable}/{pairs}", $"{regressed}/{pairs}",
                    wrong.Count == 0 ? "none" : string.Join(", ", wrong.Select(w => $"{w.Key} {w.Value}")), wrongWithInvalid.ToString(CultureInfo.InvariantCulture), load,
                ]]);
            suite.Goals.Add(new Goal("verdict of an unchanged config", $">= {pairs - (pairs / 20)}/{pairs} unchanged", $"{unchanged}/{pairs}", unchanged >= pairs - (pairs / 20)));
            suite.Goals.Add(new Goal("verdict of a 20% slower ITL", $"{pairs}/{pairs} regressed", $"{regressed}/{pairs}", regressed == pairs));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static SimulatorOptions Server(double itlMs) => new() { TtftMs = 20, ItlMs = itlMs, ItlLoadFactor = 0 };

    private static string Describe(VerdictReport verdict) =>
        string.Join(" ", verdict.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Name}={m.Change:+0.0%;-0.0%}({m.Low:+0.0%;-0.0%},{m.High:+0.0%;-0.0%}){(m.Result == "unchanged" ? string.Empty : "!")}")));

    private static async Task<VerdictReport> JudgeAsync(string current, string baseline) =>
        await VerdictJudge.CompareAsync(await VerdictScenario.LoadAsync(current).ConfigureAwait(false), VerdictScenario.Open(current), await VerdictScenario.LoadAsync(baseline).ConfigureAwait(false), VerdictScenario.Open(baseline), SettingsTable.RegressionThreshold.Default, CancellationToken.None).ConfigureAwait(false);

    /// <summary>" (not valid: reasons)" when a stage of the run was not valid, else empty.</summary>
    private static async Task<string> InvalidAsync(string path)
    {
        var reasons = (await VerdictScenario.LoadAsync(path).ConfigureAwait(false)).Benchmarks.Where(b => b.Validity is { Valid: false }).SelectMany(b => b.Validity!.Reasons).ToList();
        return reasons.Count == 0 ? string.Empty : $" (not valid: {string.Join(", ", reasons)})";
    }
}
