using System.Diagnostics;
using System.Globalization;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// Soak (not in the default set): back-to-back one-minute streaming bursts at a steady 50 requests/s for the given
/// minutes, as <c>serve</c> or a busy queue worker runs them, with the process's working set, managed heap, open handles
/// and threads sampled every 10 seconds. Growth is the last sampled minute against the first.
/// </summary>
internal static class SoakScenario
{
    public static async Task RunAsync(Suite suite, double minutes)
    {
        await using var simulator = await SimulatorProcess.StartAsync(new SimulatorOptions { TtftMs = 50, ItlMs = 5, ItlLoadFactor = 0, OutputTokens = 64, MaxBatch = 100_000, GroundTruthCapacity = 0 });
        var samples = new List<(double Minute, double WorkingSetMiB, double HeapMiB, int Handles, int Threads)>();
        var live = new List<(double Minute, double LiveMiB)>();
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var sampler = Task.Run(async () =>
        {
            using var self = Process.GetCurrentProcess();
            while (!stop.IsCancellationRequested)
            {
                self.Refresh();
                lock (samples)
                {
                    samples.Add((clock.Elapsed.TotalMinutes, self.WorkingSet64 / 1048576.0, GC.GetTotalMemory(false) / 1048576.0, self.HandleCount, self.Threads.Count));
                }

                if (samples.Count % 6 == 1)
                {
                    // Once a minute, what survives a full collection: a leak grows this, caches filling level off.
                    live.Add((clock.Elapsed.TotalMinutes, GC.GetTotalMemory(forceFullCollection: true) / 1048576.0));
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        long requests = 0, failed = 0;
        var bursts = 0;
        while (clock.Elapsed.TotalMinutes < minutes)
        {
            var settings = new BenchmarkSettings
            {
                Profile = ProfileKind.Constant, Rate = 50, MaxDuration = TimeSpan.FromSeconds(Math.Min(60, (minutes - clock.Elapsed.TotalMinutes) * 60 + 1)),
                Data = new DataSpec(new TokenDistribution(128), new TokenDistribution(64)),
            };
            var burst = await Burst.RunAsync(simulator.V1, settings).ConfigureAwait(false);
            requests += burst.Summary.Requests.Total;
            failed += burst.Summary.Requests.Failed;
            bursts++;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        var first = samples.Where(s => s.Minute >= 1 && s.Minute < 2).ToList();
        var last = samples.Where(s => s.Minute >= samples[^1].Minute - 1).ToList();
        double Growth(Func<(double Minute, double WorkingSetMiB, double HeapMiB, int Handles, int Threads), double> of) =>
            first.Count == 0 ? double.NaN : last.Average(of) / first.Average(of) - 1;

        suite.Table($"7. Soak: {minutes:0.#} min of one-minute bursts at 50 req/s, streaming ({bursts} bursts, {requests:N0} requests, {failed} failed)",
            ["", "minute 1-2", "last minute", "growth", "max"],
            [
                ["working set MiB", Suite.F(first.Average(s => s.WorkingSetMiB)), Suite.F(last.Average(s => s.WorkingSetMiB)), Suite.F(100 * Growth(s => s.WorkingSetMiB)) + "%", Suite.F(samples.Max(s => s.WorkingSetMiB))],
                ["managed heap MiB", Suite.F(first.Average(s => s.HeapMiB)), Suite.F(last.Average(s => s.HeapMiB)), Suite.F(100 * Growth(s => s.HeapMiB)) + "%", Suite.F(samples.Max(s => s.HeapMiB))],
                ["live heap MiB (after full GC)", Suite.F(live.Where(l => l.Minute >= 1 && l.Minute < 2.5).Select(l => l.LiveMiB).DefaultIfEmpty(double.NaN).Average()), Suite.F(live[^1].LiveMiB), Suite.F(100 * (live[^1].LiveMiB / live.Where(l => l.Minute >= 1).Select(l => l.LiveMiB).DefaultIfEmpty(double.NaN).First() - 1)) + "%", Suite.F(live.Max(l => l.LiveMiB))],
                ["open handles", Suite.F(first.Average(s => s.Handles), 0), Suite.F(last.Average(s => s.Handles), 0), Suite.F(100 * Growth(s => s.Handles)) + "%", samples.Max(s => s.Handles).ToString(CultureInfo.InvariantCulture)],
                ["threads", Suite.F(first.Average(s => s.Threads), 0), Suite.F(last.Average(s => s.Threads), 0), Suite.F(100 * Growth(s => s.Threads)) + "%", samples.Max(s => s.Threads).ToString(CultureInfo.InvariantCulture)],
            ]);
        suite.Sections["soak"] = new
        {
            minutes, bursts, requests, failed,
            samples = samples.Select(s => new { minute = s.Minute, workingSetMiB = s.WorkingSetMiB, heapMiB = s.HeapMiB, handles = s.Handles, threads = s.Threads }),
            liveHeap = live.Select(l => new { minute = l.Minute, liveMiB = l.LiveMiB }),
        };
        suite.Goals.Add(new Goal("soak working set growth", "no growth (< 10%)", Suite.F(100 * Growth(s => s.WorkingSetMiB)) + "%", Growth(s => s.WorkingSetMiB) < 0.10));
        suite.Goals.Add(new Goal("soak handle and thread growth", "none", $"{Suite.F(100 * Growth(s => s.Handles))}% / {Suite.F(100 * Growth(s => s.Threads))}%", Growth(s => s.Handles) < 0.10 && Growth(s => s.Threads) < 0.10));
    }
}
