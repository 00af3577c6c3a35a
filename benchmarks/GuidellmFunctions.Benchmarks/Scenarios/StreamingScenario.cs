using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// Generator capacity, streaming: SSE chunks per second the runner reads from a simulator that streams 512 one-token
/// chunks per request with no delay, and the CPU it spends per request and per chunk (the simulator's CPU beside it).
/// The last row stamps chunks when they are read rather than with the kernel's receive time, the cost of the latter.
/// </summary>
internal static class StreamingScenario
{
    public static async Task RunAsync(Suite suite)
    {
        var rows = new List<string[]>();
        var results = new List<object>();
        foreach (var (streams, kernelTimestamps) in ((int, bool)[])[(16, true), (64, true), (256, true), (256, false)])
        {
            await using var simulator = await SimulatorProcess.StartAsync(new SimulatorOptions { TtftMs = 0, ItlMs = 0, OutputTokens = 512, MaxBatch = 100_000, GroundTruthCapacity = 0 });
            var settings = new BenchmarkSettings
            {
                Profile = ProfileKind.Concurrent, Rate = streams, MaxDuration = suite.StageLength, Warmup = TimeSpan.FromSeconds(1),
                Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(512)), KernelTimestamps = kernelTimestamps,
            };
            var simulatorCpu = simulator.CpuTime;
            var burst = await Burst.RunAsync(simulator.V1, settings).ConfigureAwait(false);
            var serverCpu = simulator.CpuTime - simulatorCpu;
            var seconds = burst.Wall.TotalSeconds;
            var chunksPerSecond = burst.Capture.Chunks / seconds;
            var perChunk = burst.Cpu.TotalMicroseconds / Math.Max(1, burst.Capture.Chunks);
            var perRequest = burst.Cpu.TotalMicroseconds / Math.Max(1, burst.Capture.Total);
            rows.Add([streams.ToString(System.Globalization.CultureInfo.InvariantCulture), kernelTimestamps ? "kernel" : "read", Suite.F(chunksPerSecond, 0), Suite.F(burst.Capture.Total / seconds, 0), Suite.F(perChunk, 2), Suite.F(perRequest, 0),
                Suite.F(100 * burst.Cpu / (burst.Wall * Environment.ProcessorCount), 0) + "%", Suite.F(100 * serverCpu / (burst.Wall * Environment.ProcessorCount), 0) + "%", burst.Summary.Requests.Failed.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            results.Add(new { streams, kernelTimestamps, chunksPerSecond, requestsPerSecond = burst.Capture.Total / seconds, cpuMicrosPerChunk = perChunk, cpuMicrosPerRequest = perRequest, runnerCpuShare = burst.Cpu / (burst.Wall * Environment.ProcessorCount), simulatorCpuShare = serverCpu / (burst.Wall * Environment.ProcessorCount), failed = burst.Summary.Requests.Failed });
        }

        suite.Table("2. Streaming capacity: 512 one-token chunks per request, no server delay (simulator in its own process)",
            ["streams", "stamps", "chunks/s", "requests/s", "runner CPU µs/chunk", "runner CPU µs/request", "runner CPU", "simulator CPU", "failed"], rows);
        suite.Sections["streaming"] = results;
        await AgainstWrkAsync(suite).ConfigureAwait(false);
    }

    /// <summary>
    /// Short streams against wrk on the same simulator: 16 one-token chunks per request, 64 streams, the runner and wrk in
    /// interleaved rounds, the ratio taken within each round.
    /// </summary>
    private static async Task AgainstWrkAsync(Suite suite)
    {
        const int Tokens = 16;
        await using var simulator = await SimulatorProcess.StartAsync(new SimulatorOptions { TtftMs = 0, ItlMs = 0, OutputTokens = Tokens, MaxBatch = 100_000, GroundTruthCapacity = 0 });
        var body = FixedBodySource.Body(stream: true, maxTokens: Tokens);
        var rounds = suite.Quick ? 1 : 6;
        var length = suite.Quick ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(5);
        var seconds = (int)length.TotalSeconds;
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = CapacityScenario.Connections, MaxDuration = length, RequestTimeout = TimeSpan.FromSeconds(30),
            Warmup = TimeSpan.FromSeconds(1), Data = new DataSpec(new TokenDistribution(4), new TokenDistribution(Tokens)),
        };
        var dir = Directory.CreateTempSubdirectory("guidellm-bench-").FullName;
        try
        {
            var source = new FixedBodySource(simulator.ChatCompletions, body, Tokens);
            await Burst.RunAsync(simulator.V1, settings with { MaxDuration = TimeSpan.FromSeconds(suite.Quick ? 3 : 6), Warmup = TimeSpan.Zero }, source).ConfigureAwait(false);
            var generators = new List<(string Name, Func<Task<(double Rps, string Note)>> Run)>
            {
                ("guidellm-runner", async () =>
                {
                    var burst = await Burst.RunAsync(simulator.V1, settings, source).ConfigureAwait(false);
                    var requests = Math.Max(1, burst.Capture.Total);
                    return (burst.Summary.Throughput.RequestsPerSecond, $"{burst.Summary.Requests.Failed} failed, {Suite.F(burst.Cpu.TotalMicroseconds / requests, 1)} CPU µs/request, {Suite.F(burst.Cpu.TotalMicroseconds / Math.Max(1, burst.Capture.Chunks), 2)} µs/chunk, {Suite.F(burst.AllocatedBytes / (double)requests, 0)} B/request allocated");
                }),
            };

            var lua = Path.Combine(dir, "stream.lua");
            await File.WriteAllTextAsync(lua, $"wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = [[{System.Text.Encoding.UTF8.GetString(body)}]]\n").ConfigureAwait(false);
            generators.Add(CapacityScenario.Wrk("wrk 4.1 (-t2)", lua, simulator.ChatCompletions, seconds));
            var results = await CapacityScenario.RoundsAsync(simulator, generators, rounds, seconds).ConfigureAwait(false);
            var rows = CapacityScenario.Rows(generators.Select(g => g.Name).ToList(), results, rounds);
            suite.Table($"2b. Streaming against wrk: {Tokens} one-token chunks per request, {CapacityScenario.Connections} streams, {rounds} interleaved round(s) of {seconds} s per generator",
                ["generator", "requests/s (median)", "per round", "runner / this (median of rounds)", "note (last round)"], rows.Select(r => r.Cells));
            suite.Sections["streamingAgainstWrk"] = new { tokens = Tokens, streams = CapacityScenario.Connections, seconds, rounds, generators = rows.Select(r => r.Result) };
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
