using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Slo;
using GuidellmFunctions.Engine.Verdicts;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// Issue 18's costs: whether the verdict cries wolf (<see cref="VerdictNoiseScenario"/>), a capacity search against the simulator (batch of 4, TTFT 20 ms, a 50 ms TTFT SLO: wall time and
/// probes), and the verdict of two real 200,000-request runs judged in a fresh process (this program's
/// <c>verdict-probe</c> verb, as the CLI's compare verb runs it): time, CPU time and peak working set.
/// </summary>
internal static class VerdictScenario
{
    public static async Task RunAsync(Suite suite)
    {
        await VerdictNoiseScenario.RunAsync(suite).ConfigureAwait(false);
        await CapacityAsync(suite).ConfigureAwait(false);
        var requests = suite.Quick ? 50_000 : 200_000;
        await using var simulator = await SimulatorProcess.StartAsync(LargeRun.Simulator);
        var dir = Directory.CreateTempSubdirectory("guidellm-verdict-").FullName;
        try
        {
            var reports = (await LargeRun.SaveAsync(simulator.V1, "verdict", requests, dir, runs: 2).ConfigureAwait(false)).Select(r => r.Saved!.Location!).ToList();

            using var json = await ProbeProcess.RunAsync("verdict-probe", reports[1], reports[0]).ConfigureAwait(false);
            var r = json.RootElement;
            var cold = r.GetProperty("coldSeconds").GetDouble();
            var peak = r.GetProperty("peakWorkingSetBytes").GetInt64() / (1024.0 * 1024);
            suite.Table("12. Regression verdict of two large runs (issue 18)", ["requests per run", "result", "first in a process: s (CPU s)", "warm: s (CPU s)", "peak MiB"],
            [[
                requests.ToString("N0", CultureInfo.InvariantCulture), r.GetProperty("result").GetString()!,
                $"{Suite.F(cold, 2)} ({Suite.F(r.GetProperty("coldCpuSeconds").GetDouble(), 2)})",
                $"{Suite.F(r.GetProperty("warmSeconds").GetDouble(), 2)} ({Suite.F(r.GetProperty("warmCpuSeconds").GetDouble(), 2)})",
                Suite.F(peak, 0),
            ]]);
            suite.Goals.Add(new Goal($"verdict of two {requests:N0}-request runs, first in a fresh process", "< 2 s", $"{Suite.F(cold, 2)} s", cold < 2));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task CapacityAsync(Suite suite)
    {
        await using var simulator = await SimulatorProcess.StartAsync(new SimulatorOptions { TtftMs = 20, ItlMs = 5, ItlLoadFactor = 0, MaxBatch = 4 });
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Capacity, Rate = 1, MaxDuration = TimeSpan.FromSeconds(suite.Quick ? 2 : 5), MaxRequests = 1_000_000,
            Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(16)),
        }.Set(SettingsTable.Slo, new SloObjectives(TtftMs: 50, ItlMs: null, E2eMs: null, Attainment: 0.9));
        var target = new ResolvedTarget("bench", new TargetConfig { Name = "capacity", Url = simulator.V1, Model = Burst.Model }, settings);
        using var clients = new TargetTransportFactory();
        var watch = Stopwatch.StartNew();
        var report = await new LoadTestRunner(clients, new PromptGenerator(), TimeProvider.System).RunAsync(target, RunIds.New(TimeProvider.System), RunTrigger.Cli, [], CancellationToken.None).ConfigureAwait(false);
        watch.Stop();
        var capacity = report.Capacity!;
        suite.Table("12. Capacity search against the simulator (batch 4, TTFT 20 ms, SLO TTFT 50 ms at 0.9; issue 18)", ["max_seconds per probe", "capacity (streams)", "first failing", "probes (loads)", "wall s"],
        [[
            Suite.F(settings.MaxDuration!.Value.TotalSeconds, 0), capacity.Max?.ToString(CultureInfo.InvariantCulture) ?? "none", capacity.FirstFailing?.ToString(CultureInfo.InvariantCulture) ?? "none",
            $"{capacity.Probes.Count} ({string.Join(", ", capacity.Probes.Select(p => p.Load.ToString(CultureInfo.InvariantCulture)))})", Suite.F(watch.Elapsed.TotalSeconds, 1),
        ]]);
    }

    /// <summary>The child side: judges <c>args[0]</c> against <c>args[1]</c> (each with its records beside it) once cold, then five times warm, and prints the figures.</summary>
    public static async Task<int> ProbeAsync(string[] args)
    {
        var current = await LoadAsync(args[0]).ConfigureAwait(false);
        var baseline = await LoadAsync(args[1]).ConfigureAwait(false);
        var (verdict, timing) = await ColdWarmTiming.MeasureAsync(() => JudgeAsync(current, args[0], baseline, args[1])).ConfigureAwait(false);
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            result = verdict.Result,
            coldSeconds = timing.ColdSeconds,
            coldCpuSeconds = timing.ColdCpuSeconds,
            warmSeconds = timing.WarmSeconds,
            warmCpuSeconds = timing.WarmCpuSeconds,
            peakWorkingSetBytes = self.PeakWorkingSet64,
        }));
        return 0;
    }

    /// <summary>A saved report.</summary>
    internal static async Task<RunReport> LoadAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        return (await JsonSerializer.DeserializeAsync(stream, ReportJsonContext.Default.RunReport).ConfigureAwait(false))!;
    }

    private static Task<VerdictReport> JudgeAsync(RunReport current, string currentPath, RunReport baseline, string baselinePath) =>
        VerdictJudge.CompareAsync(current, Open(currentPath), baseline, Open(baselinePath), 0.05, CancellationToken.None);

    /// <summary>Opens the per-request records saved beside a report.</summary>
    internal static Func<CancellationToken, Task<Stream>> Open(string reportPath) =>
        _ => Task.FromResult<Stream>(File.OpenRead(reportPath[..^".json".Length] + ReportLayout.RequestsSuffix));
}
