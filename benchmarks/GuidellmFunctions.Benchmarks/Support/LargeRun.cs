using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>
/// Large runs saved as the CLI saves them (report, per-request records), for the scenarios that measure what reads them
/// afterwards (the HTML page, the regression verdict): 128 closed-loop streams against a simulator that answers at once.
/// </summary>
internal static class LargeRun
{
    /// <summary>The simulator of a large run: fast answers and no ground truth kept, so the runner sets the pace.</summary>
    public static SimulatorOptions Simulator => new() { TtftMs = 10, ItlMs = 0.5, OutputTokens = 16, MaxBatch = 100_000, GroundTruthCapacity = 0 };

    /// <summary>Runs <paramref name="runs"/> bursts of <paramref name="requests"/> requests against <paramref name="v1"/>, one after another, saved under <paramref name="dir"/>.</summary>
    public static async Task<IReadOnlyList<TargetRunResult>> SaveAsync(Uri v1, string name, int requests, string dir, int runs = 1)
    {
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = 128, MaxRequests = requests, MaxDuration = TimeSpan.FromMinutes(20),
            Data = new DataSpec(new TokenDistribution(32), new TokenDistribution(16)),
        };
        var target = new ResolvedTarget("bench", new TargetConfig { Name = name, Url = v1, Model = Burst.Model }, settings);
        using var clients = new TargetTransportFactory();
        var coordinator = new RunCoordinator(new LoadTestRunner(clients, new PromptGenerator(), TimeProvider.System));
        var store = new LocalReportStore(Path.Combine(dir, "out"));
        var results = new List<TargetRunResult>();
        for (var i = 0; i < runs; i++)
        {
            var run = await coordinator.RunAsync([target], RunIds.New(TimeProvider.System), RunTrigger.Cli, store, Path.Combine(dir, "staging"), null, CancellationToken.None).ConfigureAwait(false);
            results.Add(run[0]);
        }

        return results;
    }
}
