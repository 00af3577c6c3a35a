using System.Globalization;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// Accuracy: the runner's TTFT and mean ITL of every request against what the simulator itself measured for the same
/// request (matched by X-Request-Id), at rising numbers of concurrent streams. The error includes the loopback network
/// and both HTTP stacks, so it is an upper bound on the runner's own error.
/// </summary>
internal static class AccuracyScenario
{
    // The simulated request: TTFT 50 ms, then 31 gaps of 20 ms.
    private const double RequestSeconds = 0.05 + 31 * 0.02;

    public static async Task RunAsync(Suite suite)
    {
        int[] levels = suite.Quick ? [1, 100, 1000] : [1, 100, 1000, 2000];
        var rows = new List<string[]>();
        var results = new List<object>();
        var sustained = 0;
        var within = true;
        foreach (var streams in levels)
        {
            await using var simulator = await SimulatorProcess.StartAsync(new SimulatorOptions { TtftMs = 50, ItlMs = 20, ItlLoadFactor = 0, OutputTokens = 32, MaxBatch = 100_000, GroundTruthCapacity = 1_000_000 });
            // Open-loop arrivals at streams / request length keep that many streams open without sending them all in the
            // same instant (identical requests in a closed loop would stay in lockstep and measure a thundering herd).
            var settings = new BenchmarkSettings
            {
                Profile = ProfileKind.Constant, Rate = streams / RequestSeconds, MaxDuration = suite.StageLength + TimeSpan.FromSeconds(2), Warmup = TimeSpan.FromSeconds(2),
                Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(32)), RequestTimeout = TimeSpan.FromSeconds(60),
            };
            var simulatorCpu = simulator.CpuTime;
            var burst = await Burst.RunAsync(simulator.V1, settings, keepRequests: true).ConfigureAwait(false);
            var capacity = burst.Wall * Environment.ProcessorCount;
            var (runnerShare, simulatorShare) = (burst.Cpu / capacity, (simulator.CpuTime - simulatorCpu) / capacity);
            var truth = await simulator.GroundTruthAsync().ConfigureAwait(false);
            var pairs = burst.Capture.Requests.Where(r => r.Ok && r.TtftMs is not null && truth.ContainsKey(r.RequestId)).Select(r => (Client: r, Server: truth[r.RequestId])).ToList();
            var ttft = Percentiles.P50P99(pairs.Select(p => p.Client.TtftMs!.Value - p.Server.TtftMs));
            var itl = Percentiles.P50P99(pairs.Where(p => p.Client.ItlMeanMs is not null).Select(p => p.Client.ItlMeanMs!.Value - p.Server.ItlMeanMs));
            var chunksPerSecond = burst.Capture.Chunks / burst.Wall.TotalSeconds;
            // The most streams up to which every level stayed within the 5 ms bound.
            within &= ttft.P99 <= 5 && burst.Summary.Requests.Failed == 0;
            sustained = within ? streams : sustained;

            rows.Add([streams.ToString(CultureInfo.InvariantCulture), Suite.F(burst.Summary.Concurrency.Mean, 0), pairs.Count.ToString(CultureInfo.InvariantCulture), Suite.F(ttft.P50, 2), Suite.F(ttft.P99, 2), Suite.F(itl.P50, 3), Suite.F(itl.P99, 3), Suite.F(chunksPerSecond, 0), Suite.F(100 * runnerShare, 0) + "%", Suite.F(100 * simulatorShare, 0) + "%", $"{burst.Gen0}/{burst.Gen1}/{burst.Gen2}, {Suite.F(burst.GcPause.TotalMilliseconds, 0)} ms", burst.Summary.Requests.Failed.ToString(CultureInfo.InvariantCulture)]);
            results.Add(new { streams, meanInFlight = burst.Summary.Concurrency.Mean, requests = pairs.Count, ttftErrorMs = new { p50 = ttft.P50, p99 = ttft.P99 }, itlErrorMs = new { p50 = itl.P50, p99 = itl.P99 }, chunksPerSecond, runnerCpuShare = runnerShare, runnerGcPauseMs = burst.GcPause.TotalMilliseconds, simulatorCpuShare = simulatorShare, failed = burst.Summary.Requests.Failed });
            if (streams == 100)
            {
                suite.Goals.Add(new Goal("TTFT error p99 at 100 streams", "<= 1 ms", Suite.F(ttft.P99, 2) + " ms", ttft.P99 <= 1));
            }
            else if (streams == 1000)
            {
                suite.Goals.Add(new Goal("TTFT error p99 at 1000 streams", "<= 5 ms", Suite.F(ttft.P99, 2) + " ms", ttft.P99 <= 5));
            }
        }

        suite.Table("3. Accuracy: client minus server (simulator TTFT 50 ms, ITL 20 ms, 32 tokens), ms",
            ["streams", "mean in flight", "requests", "TTFT err p50", "TTFT err p99", "ITL err p50", "ITL err p99", "chunks/s", "runner CPU", "simulator CPU", "runner GCs 0/1/2, pause", "failed"], rows);
        suite.Sections["accuracy"] = results;
        suite.Sections["maxStreamsWithinTtftBound"] = sustained;
    }
}
