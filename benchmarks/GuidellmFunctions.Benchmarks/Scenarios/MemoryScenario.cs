using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// Memory: the peak working set of a fresh process (this program's <c>memory-probe</c> verb) running one burst the way
/// the CLI does (coordinator, per-request record file, report), at 10k and 200k requests, and 7 targets at once.
/// </summary>
internal static class MemoryScenario
{
    public static async Task RunAsync(Suite suite)
    {
        await using var simulator = await SimulatorProcess.StartAsync(new SimulatorOptions { TtftMs = 0, ItlMs = 0, OutputTokens = 16, MaxBatch = 100_000, GroundTruthCapacity = 0 });
        (int Targets, int Requests)[] cases = suite.Quick ? [(1, 10_000), (1, 50_000), (7, 5_000)] : [(1, 10_000), (1, 200_000), (7, 20_000)];
        var rows = new List<string[]>();
        var results = new List<(int Targets, int Requests, double PeakMiB, double Seconds)>();
        foreach (var (targets, requests) in cases)
        {
            using var json = await ProbeProcess.RunAsync("memory-probe", simulator.V1.ToString(), targets.ToString(CultureInfo.InvariantCulture), requests.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            var peak = json.RootElement.GetProperty("peakWorkingSetBytes").GetInt64() / (1024.0 * 1024);
            var seconds = json.RootElement.GetProperty("seconds").GetDouble();
            results.Add((targets, requests, peak, seconds));
            rows.Add([targets.ToString(CultureInfo.InvariantCulture), requests.ToString("N0", CultureInfo.InvariantCulture), Suite.F(peak, 1), Suite.F(targets * (double)requests / seconds, 0), json.RootElement.GetProperty("failed").GetInt64().ToString(CultureInfo.InvariantCulture)]);
        }

        suite.Table("5. Memory: peak working set of a fresh process per burst", ["targets", "requests per target", "peak MiB", "requests/s", "failed"], rows);
        suite.Sections["memory"] = results.Select(r => new { targets = r.Targets, requestsPerTarget = r.Requests, peakWorkingSetMiB = r.PeakMiB, seconds = r.Seconds });
        var growth = results[1].PeakMiB / results[0].PeakMiB - 1;
        suite.Goals.Add(new Goal($"memory growth {results[0].Requests:N0} -> {results[1].Requests:N0} requests", "<= 10%", Suite.F(100 * growth, 1) + "%", growth <= 0.10));
        suite.Goals.Add(new Goal("7 targets at once, peak working set", "< 300 MB", Suite.F(results[2].PeakMiB * 1.048576, 0) + " MB", results[2].PeakMiB * 1.048576 < 300));
    }

    /// <summary>The child side: runs <c>targets</c> concurrently, <c>requests</c> each, and prints its peak working set.</summary>
    public static async Task<int> ProbeAsync(string[] args)
    {
        var v1 = new Uri(args[0]);
        var targets = int.Parse(args[1], CultureInfo.InvariantCulture);
        var requests = int.Parse(args[2], CultureInfo.InvariantCulture);
        var dir = Directory.CreateTempSubdirectory("guidellm-memory-").FullName;
        try
        {
            var settings = new BenchmarkSettings
            {
                Profile = ProfileKind.Concurrent, Rate = 64, MaxRequests = requests, MaxDuration = TimeSpan.FromMinutes(20),
                Data = new DataSpec(new TokenDistribution(32), new TokenDistribution(16)),
            };
            var resolved = Enumerable.Range(1, targets).Select(i => new ResolvedTarget("bench", new TargetConfig { Name = $"target-{i}", Url = v1, Model = Burst.Model }, settings)).ToList();
            using var clients = new TargetTransportFactory();
            var coordinator = new RunCoordinator(new LoadTestRunner(clients, new PromptGenerator(), TimeProvider.System));
            var wall = Stopwatch.StartNew();
            var results = await coordinator.RunAsync(resolved, RunIds.New(TimeProvider.System), RunTrigger.Cli, new LocalReportStore(Path.Combine(dir, "out")), Path.Combine(dir, "staging"), null, CancellationToken.None).ConfigureAwait(false);
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                peakWorkingSetBytes = self.PeakWorkingSet64,
                seconds = wall.Elapsed.TotalSeconds,
                failed = results.Sum(r => r.Report.Benchmarks.Sum(b => b.Summary.Requests.Failed)),
            }));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
