using System.Globalization;
using System.Text.RegularExpressions;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// The simulator's own cost with its engine pacing the tokens: closed-loop streams from the runner against the ideal
/// server (TTFT 50 ms, ITL 20 ms, the accuracy scenario's) and against the one-GPU model (<see cref="SimulatorOptions.Gpu8B"/>,
/// 512-token prompts, 128 tokens out), once with a KV cache small enough to make requests wait and be preempted. Gives
/// the simulator's CPU per request and per chunk, and what the model did (the runner's TTFT and ITL, the server's
/// preemptions).
/// </summary>
internal static class SimulatorScenario
{
    public static async Task RunAsync(Suite suite)
    {
        var ideal = new SimulatorOptions { TtftMs = 50, ItlMs = 20, ItlLoadFactor = 0, OutputTokens = 32, MaxBatch = 100_000, GroundTruthCapacity = 0 };
        var gpu = SimulatorOptions.Gpu8B with { GroundTruthCapacity = 0 };
        var layouts = new (string Name, SimulatorOptions Options, int Streams, int Prompt, int Output)[]
        {
            ("ideal, TTFT 50 ms, ITL 20 ms", ideal, 100, 128, 32),
            ("ideal, TTFT 50 ms, ITL 20 ms", ideal, 1000, 128, 32),
            ("GPU 8B", gpu, 64, 512, 128),
            ("GPU 8B", gpu, 256, 512, 128),
            ("GPU 8B, KV cache 60,000 tokens", gpu with { KvCacheTokens = 60_000 }, 256, 512, 128),
        };
        var rows = new List<string[]>();
        var results = new List<object>();
        foreach (var (name, options, streams, prompt, output) in layouts)
        {
            await using var simulator = await SimulatorProcess.StartAsync(options).ConfigureAwait(false);
            // The model's requests last seconds, and a first wave of prompts all arriving at once takes seconds to prefill:
            // measure after it, over twice the usual stage.
            var settings = new BenchmarkSettings
            {
                Profile = ProfileKind.Concurrent, Rate = streams, MaxDuration = 2 * suite.StageLength, Warmup = suite.StageLength / 2,
                RequestTimeout = TimeSpan.FromMinutes(2), Data = new DataSpec(new TokenDistribution(prompt), new TokenDistribution(output)),
            };
            var before = simulator.CpuTime;
            var burst = await Burst.RunAsync(simulator.V1, settings).ConfigureAwait(false);
            var serverCpu = (simulator.CpuTime - before).TotalMicroseconds;
            var metrics = await simulator.MetricsAsync().ConfigureAwait(false);
            var s = burst.Summary;
            var perRequest = serverCpu / Math.Max(1, burst.Capture.Total);
            var perChunk = serverCpu / Math.Max(1, burst.Capture.Chunks);
            var preemptions = Value(metrics, "vllm:num_preemptions_total");
            rows.Add([name, streams.ToString(CultureInfo.InvariantCulture), Suite.F(burst.Capture.Chunks / burst.Wall.TotalSeconds, 0), Suite.F(perRequest, 1), Suite.F(perChunk, 2),
                Suite.F(100 * serverCpu / 1e6 / (burst.Wall.TotalSeconds * Environment.ProcessorCount), 0) + "%", Suite.F(s.TtftMs.P50, 1) + " / " + Suite.F(s.TtftMs.P99, 1), Suite.F(s.ItlMs.P50, 1) + " / " + Suite.F(s.ItlMs.P99, 1),
                Suite.F(preemptions, 0), s.Requests.Failed.ToString(CultureInfo.InvariantCulture)]);
            results.Add(new
            {
                layout = name, streams, promptTokens = prompt, outputTokens = output, chunksPerSecond = burst.Capture.Chunks / burst.Wall.TotalSeconds,
                simulatorCpuMicrosPerRequest = perRequest, simulatorCpuMicrosPerChunk = perChunk, simulatorCpuShare = serverCpu / 1e6 / (burst.Wall.TotalSeconds * Environment.ProcessorCount),
                ttftP50 = s.TtftMs.P50, ttftP99 = s.TtftMs.P99, itlP50 = s.ItlMs.P50, itlP99 = s.ItlMs.P99, preemptions, failed = s.Requests.Failed,
            });
        }

        suite.Table("Simulator: its own CPU with the engine pacing tokens (closed-loop streams from the runner; simulator in its own process)",
            ["layout", "streams", "chunks/s", "simulator CPU µs/request", "simulator CPU µs/chunk", "simulator CPU", "TTFT p50 / p99 ms", "ITL p50 / p99 ms", "preemptions", "failed"], rows);
        suite.Sections["simulator"] = results;
    }

    private static double Value(string metrics, string name)
    {
        var match = Regex.Match(metrics, "^" + Regex.Escape(name) + @"\{[^}]*\} (\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
    }
}
