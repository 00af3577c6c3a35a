using System.Globalization;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// Scheduling: how late each request left against its schedule (sent minus scheduled, signed) for constant and
/// Poisson arrivals at 10, 100 and 1000 requests/s, against a fast simulator in its own process.
/// </summary>
internal static class DispatchScenario
{
    public static async Task RunAsync(Suite suite)
    {
        await using var simulator = await SimulatorProcess.StartAsync(new SimulatorOptions { TtftMs = 2, ItlMs = 1, OutputTokens = 8, MaxBatch = 100_000, GroundTruthCapacity = 0 });
        var rows = new List<string[]>();
        var results = new List<object>();
        foreach (var profile in (ProfileKind[])[ProfileKind.Constant, ProfileKind.Poisson])
        {
            foreach (var rate in (int[])[10, 100, 1000])
            {
                // At least 300 requests (30 s at 10/s; 100 in quick mode), at least a stage length.
                var length = TimeSpan.FromSeconds(Math.Max(suite.StageLength.TotalSeconds, (suite.Quick ? 100.0 : 300.0) / rate));
                var settings = new BenchmarkSettings
                {
                    Profile = profile, Rate = rate, MaxDuration = length, Warmup = TimeSpan.FromSeconds(1),
                    Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(8)),
                };
                var burst = await Burst.RunAsync(simulator.V1, settings, keepRequests: true).ConfigureAwait(false);
                var delays = Percentiles.P50P99(burst.Capture.Requests.Select(r => r.DispatchMs));
                var name = profile.ToString().ToLowerInvariant();
                rows.Add([name, rate.ToString(CultureInfo.InvariantCulture), delays.Count.ToString(CultureInfo.InvariantCulture), Suite.F(delays.P50, 3), Suite.F(delays.P99, 3), Suite.F(burst.Summary.Throughput.RequestsPerSecond, 1)]);
                results.Add(new { profile = name, rate, requests = delays.Count, dispatchDelayMs = new { p50 = delays.P50, p99 = delays.P99 }, achievedRequestsPerSecond = burst.Summary.Throughput.RequestsPerSecond });
                if (rate == 1000)
                {
                    suite.Goals.Add(new Goal($"dispatch delay p99, {name} 1000 req/s", "<= 2 ms", Suite.F(delays.P99, 2) + " ms", delays.P99 <= 2));
                }
            }
        }

        suite.Table("4. Scheduling: dispatch delay (sent - scheduled), ms", ["profile", "rate", "requests", "p50", "p99", "achieved req/s"], rows);
        suite.Sections["dispatch"] = results;
    }
}
