using System.Diagnostics;
using System.Globalization;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Simulator;
using GuidellmFunctions.Simulator.Serving;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// Accuracy: the runner's TTFT and mean ITL of every request against what the simulator itself measured for the same
/// request (matched by X-Request-Id), at rising numbers of concurrent streams. The error includes the loopback network
/// and both HTTP stacks, so it is an upper bound on the runner's own error. The "wire truth" rows take the ground truth
/// where the bytes cross the server's socket instead (<see cref="WireTruthServer"/>), which leaves the client's own error. With <c>--simulator URL</c> the simulator is
/// one already running on another machine, so the server does not share the runner's cores: the way in and way out
/// cannot be told apart there (the two clocks differ), and the layouts with a local simulator are not run.
/// </summary>
internal static class AccuracyScenario
{
    // The simulated request: TTFT 50 ms, then 31 gaps of 20 ms.
    private const double RequestSeconds = 0.05 + 31 * 0.02;

    private static readonly SimulatorOptions Simulated = new() { TtftMs = 50, ItlMs = 20, ItlLoadFactor = 0, OutputTokens = 32, MaxBatch = 100_000, GroundTruthCapacity = 1_000_000 };

    public static async Task RunAsync(Suite suite)
    {
        int[] levels = suite.Quick ? [1, 100, 1000] : [1, 100, 1000, 2000];
        var rows = new List<string[]>();
        var results = new List<object>();
        var sustained = 0;
        var within = true;
        var sustainedAtWire = 0;
        var withinAtWire = true;

        // First as everything else here runs: both processes share both cores. Then as in production, where the model
        // server is another machine: the simulator on core 1 and the runner on core 0, so neither waits for the other's CPU.
        var layouts = CorePinning.Available && suite.RemoteSimulator is null ? new[] { false, true } : [false];
        foreach (var split in layouts)
        {
            foreach (var streams in split ? levels[..^1] : levels)
            {
                using var pinned = split ? CorePinning.Pin(0) : null;
                var row = await MeasureAsync(suite, streams, split ? 1 : null).ConfigureAwait(false);
                var cores = split ? "split" : suite.RemoteSimulator is null ? "shared" : "server elsewhere";
                rows.Add([split ? "1 + 1 (split)" : Shared(suite), .. row.Cells]);
                results.Add(new { cores, row.Result });
                if (!split && streams <= 1000)
                {
                    var reference = await MeasureReferenceAsync(suite, streams).ConfigureAwait(false);
                    rows.Add([Shared(suite), .. reference.Cells]);
                    results.Add(new { cores, client = "reference", reference.Result });
                }

                // The same burst stamped when the runner reads each chunk instead of when the kernel received it.
                if (!split && streams is 100 or 1000)
                {
                    var readTimes = await MeasureAsync(suite, streams, null, kernelTimestamps: false).ConfigureAwait(false);
                    rows.Add([Shared(suite), .. readTimes.Cells]);
                    results.Add(new { cores, stamps = "read", readTimes.Result });
                }

                // Over TLS: the runner's HTTP/1.1 client with kernel and with read-time stamps, and .NET's HttpClient (HTTP/2).
                if (!split && streams == 100 && suite.RemoteSimulator is null)
                {
                    foreach (var (tls, kernel) in new[] { (Tls.Http1, true), (Tls.Http1, false), (Tls.HttpClient, false) })
                    {
                        var overTls = await MeasureAsync(suite, streams, null, kernel, tls).ConfigureAwait(false);
                        rows.Add([Shared(suite), .. overTls.Cells]);
                        results.Add(new { cores, overTls.Result });
                    }
                }

                // Against ground truth taken at the wire (WireTruthServer): what is left is the client's own error.
                if (!split && streams <= 1000 && suite.RemoteSimulator is null)
                {
                    foreach (var kernel in streams is 100 or 1000 ? new[] { true, false } : [true])
                    {
                        var wire = await MeasureAsync(suite, streams, null, kernel, wireTruth: true).ConfigureAwait(false);
                        rows.Add([Shared(suite), .. wire.Cells]);
                        results.Add(new { cores, truth = "wire", stamps = kernel ? "kernel" : "read", wire.Result });
                        if (kernel)
                        {
                            withinAtWire &= wire.TtftP99 <= 5 && wire.Failed == 0;
                            sustainedAtWire = withinAtWire ? streams : sustainedAtWire;
                        }
                    }

                    var wireReference = await MeasureReferenceAsync(suite, streams, wireTruth: true).ConfigureAwait(false);
                    rows.Add([Shared(suite), .. wireReference.Cells]);
                    results.Add(new { cores, truth = "wire", client = "reference", wireReference.Result });
                }

                if (split)
                {
                    continue;
                }

                // The most streams up to which every level stayed within the 5 ms bound.
                within &= row.TtftP99 <= 5 && row.Failed == 0;
                sustained = within ? streams : sustained;
            }
        }

        suite.Table("3. Accuracy: client minus server (simulator TTFT 50 ms, ITL 20 ms, 32 tokens), ms",
            ["cores", "streams", "mean in flight", "requests", "TTFT err p50", "TTFT err p99", "way in p50 / p99", "way out p50 / p99", "ITL err p50", "ITL err p99", "chunks/s", "runner CPU", "simulator CPU", "runner GCs 0/1/2, pause, allocated", "failed"], rows);
        suite.Sections["accuracy"] = results;
        suite.Sections["maxStreamsWithinTtftBound"] = sustained;
        suite.Sections["maxStreamsWithinTtftBoundAtWire"] = sustainedAtWire;
    }

    /// <summary>How a row reaches the simulator.</summary>
    internal enum Tls
    {
        None,
        Http1,
        HttpClient,
    }

    private static string Shared(Suite suite) => suite.RemoteSimulator is null ? "2 (shared)" : "2 (server elsewhere)";

    /// <summary>A simulator for one row: started here, or the one given with <c>--simulator</c>.</summary>
    private static async Task<SimulatorProcess> SimulatorAsync(Suite suite, int? cpu = null, bool tls = false, bool wireTruth = false) =>
        suite.RemoteSimulator is { } remote ? SimulatorProcess.Attach(remote) : await SimulatorProcess.StartAsync(Simulated with { Tls = tls }, cpu, wireTruth).ConfigureAwait(false);

    /// <summary>One burst at <paramref name="streams"/> against a fresh simulator, its TTFT and ITL errors against the simulator's ground truth.</summary>
    internal static async Task<(string[] Cells, object Result, double TtftP99, long Failed)> MeasureAsync(Suite suite, int streams, int? simulatorCpu, bool kernelTimestamps = true, Tls tls = Tls.None, bool wireTruth = false, ServerMetricsSetting? serverMetrics = null)
    {
        await using var simulator = await SimulatorAsync(suite, simulatorCpu, tls != Tls.None, wireTruth).ConfigureAwait(false);
        // Open-loop arrivals at streams / request length keep that many streams open without sending them all in the
        // same instant (identical requests in a closed loop would stay in lockstep and measure a thundering herd).
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Constant, Rate = streams / RequestSeconds, MaxDuration = suite.StageLength + TimeSpan.FromSeconds(2), Warmup = TimeSpan.FromSeconds(2),
            Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(32)), RequestTimeout = TimeSpan.FromSeconds(60),
            KernelTimestamps = kernelTimestamps,
            InsecureSkipVerify = tls != Tls.None, HttpClient = tls == Tls.HttpClient ? HttpClientKind.HttpClient : HttpClientKind.Runner,
        };
        if (serverMetrics is not null)
        {
            settings = settings.Set(SettingsTable.ServerMetrics, serverMetrics);
        }

        var simulatorCpuBefore = simulator.CpuTime;
        var burst = await Burst.RunAsync(simulator.V1, settings, keepRequests: true).ConfigureAwait(false);
        var capacity = burst.Wall * Environment.ProcessorCount;
        var (runnerShare, simulatorShare) = (burst.Cpu / capacity, (simulator.CpuTime - simulatorCpuBefore) / capacity);
        var truth = await simulator.GroundTruthAsync().ConfigureAwait(false);
        var pairs = burst.Capture.Requests.Where(r => r.Ok && r.TtftMs is not null && truth.ContainsKey(r.RequestId)).Select(r => (Client: r, Server: truth[r.RequestId])).ToList();
        var ttft = Percentiles.P50P99(pairs.Select(p => p.Client.TtftMs!.Value - p.Server.TtftMs));
        var itl = Percentiles.P50P99(pairs.Where(p => p.Client.ItlMeanMs is not null).Select(p => p.Client.ItlMeanMs!.Value - p.Server.ItlMeanMs));
        var (wayIn, wayOut) = Legs(simulator, pairs.Select(p => (p.Client.SentTimestamp, p.Client.FirstContentTimestamp, p.Server)));
        var chunksPerSecond = burst.Capture.Chunks / burst.Wall.TotalSeconds;

        // Every CPU microsecond of the burst (requests' own work included) over its content chunks: with the server pacing
        // tokens, each receive carries one chunk, which costs far more than the streaming table's many per receive.
        var cpuPerChunk = burst.Cpu.TotalMicroseconds / Math.Max(1, burst.Capture.Chunks);
        var failed = burst.Summary.Requests.Failed;
        var unstamped = pairs.Count(p => p.Server.Outcome == WireTruthServer.UnstampedOutcome);
        var allocatedPerRequest = burst.AllocatedBytes / (double)Math.Max(1, burst.Summary.Requests.Total + burst.Summary.Requests.ExcludedWarmup);
        var layout = !simulator.IsLocal ? "simulator on another machine" : simulatorCpu is null ? "shared cores" : "runner and simulator on a core each";
        if (streams is 100 or 1000 && kernelTimestamps && tls == Tls.None)
        {
            var bound = streams == 100 ? 1 : 5;
            var truthName = wireTruth ? "ground truth at the wire" : "simulator's ground truth";
            suite.Goals.Add(new Goal($"TTFT error p99 at {streams} streams ({layout}, {truthName})", $"<= {bound} ms", Suite.F(ttft.P99, 2) + " ms", ttft.P99 <= bound));
        }

        var label = tls switch
        {
            Tls.Http1 => kernelTimestamps ? " (TLS)" : " (TLS, read-time stamps)",
            Tls.HttpClient => " (TLS, httpclient, HTTP/2)",
            _ => kernelTimestamps ? string.Empty : " (read-time stamps)",
        } + (wireTruth ? " (wire truth)" : string.Empty) + serverMetrics switch
        {
            null => string.Empty,
            { Kind: ServerMetricsKind.Off } => " (server metrics off)",
            _ => $" (server /metrics every {serverMetrics.Interval.TotalSeconds:0.#} s)",
        };
        string[] cells = [streams.ToString(CultureInfo.InvariantCulture) + label, Suite.F(burst.Summary.Concurrency.Mean, 0), pairs.Count.ToString(CultureInfo.InvariantCulture), Suite.F(ttft.P50, 2), Suite.F(ttft.P99, 2), Both(wayIn), Both(wayOut), Suite.F(itl.P50, 3), Suite.F(itl.P99, 3), Suite.F(chunksPerSecond, 0), $"{Suite.F(100 * runnerShare, 0)}%, {Suite.F(cpuPerChunk, 1)} µs/chunk", Suite.F(100 * simulatorShare, 0) + "%", $"{burst.Gen0}/{burst.Gen1}/{burst.Gen2}, {Suite.F(burst.GcPause.TotalMilliseconds, 0)} ms, {Suite.F(allocatedPerRequest / 1024, 1)} KB/request", failed.ToString(CultureInfo.InvariantCulture)];
        var result = new { streams, kernelTimestamps, tls = tls.ToString(), truth = wireTruth ? "wire" : "simulator", meanInFlight = burst.Summary.Concurrency.Mean, requests = pairs.Count, ttftErrorMs = new { p50 = ttft.P50, p99 = ttft.P99 }, requestWayInMs = new { p50 = wayIn.P50, p99 = wayIn.P99 }, firstTokenWayOutMs = new { p50 = wayOut.P50, p99 = wayOut.P99 }, itlErrorMs = new { p50 = itl.P50, p99 = itl.P99 }, chunksPerSecond, runnerCpuShare = runnerShare, runnerCpuMicrosPerChunk = cpuPerChunk, runnerGcPauseMs = burst.GcPause.TotalMilliseconds, allocatedBytesPerRequest = allocatedPerRequest, simulatorCpuShare = simulatorShare, failed, arrivalsStampedAtTheRead = unstamped };
        return (cells, result, ttft.P99, failed);
    }

    /// <summary>The same arrivals from <see cref="ReferenceStreamingClient"/>: the floor of the error on this machine.</summary>
    private static async Task<(string[] Cells, object Result)> MeasureReferenceAsync(Suite suite, int streams, bool wireTruth = false)
    {
        await using var simulator = await SimulatorAsync(suite, wireTruth: wireTruth).ConfigureAwait(false);
        var body = FixedBodySource.Body(stream: true, maxTokens: 32);

        // A short first pass warms the JIT and the connections, as the runner's warm-up window does.
        await ReferenceStreamingClient.RunAsync(simulator.ChatCompletions, body, streams / RequestSeconds, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var simulatorCpuBefore = simulator.CpuTime;
        var wall = Stopwatch.StartNew();
        var measured = await ReferenceStreamingClient.RunAsync(simulator.ChatCompletions, body, streams / RequestSeconds, suite.StageLength).ConfigureAwait(false);
        wall.Stop();
        self.Refresh();
        var capacity = wall.Elapsed * Environment.ProcessorCount;
        var truth = await simulator.GroundTruthAsync().ConfigureAwait(false);
        var pairs = measured.Where(r => r.FirstContentTimestamp != 0 && truth.TryGetValue(r.RequestId, out var t) && t.FirstContentTimestamp != 0)
            .Select(r => (Client: r, Server: truth[r.RequestId])).ToList();
        var ttft = Percentiles.P50P99(pairs.Select(p => ((p.Client.FirstContentTimestamp - p.Client.SentTimestamp) * Ms) - p.Server.TtftMs));
        var (wayIn, wayOut) = Legs(simulator, pairs.Select(p => (p.Client.SentTimestamp, p.Client.FirstContentTimestamp, p.Server)));
        var (clientShare, simulatorShare) = ((self.TotalProcessorTime - cpu) / capacity, (simulator.CpuTime - simulatorCpuBefore) / capacity);
        string[] cells = [$"{streams} (reference client)" + (wireTruth ? " (wire truth)" : string.Empty), "-", pairs.Count.ToString(CultureInfo.InvariantCulture), Suite.F(ttft.P50, 2), Suite.F(ttft.P99, 2), Both(wayIn), Both(wayOut), "-", "-", "-", Suite.F(100 * clientShare, 0) + "%", Suite.F(100 * simulatorShare, 0) + "%", "-", (measured.Count - pairs.Count).ToString(CultureInfo.InvariantCulture)];
        return (cells, new { streams, truth = wireTruth ? "wire" : "simulator", requests = pairs.Count, ttftErrorMs = new { p50 = ttft.P50, p99 = ttft.P99 }, requestWayInMs = new { p50 = wayIn.P50, p99 = wayIn.P99 }, firstTokenWayOutMs = new { p50 = wayOut.P50, p99 = wayOut.P99 }, clientCpuShare = clientShare, simulatorCpuShare = simulatorShare });
    }

    private static double Ms => 1000.0 / Stopwatch.Frequency;

    /// <summary>
    /// Both processes stamp with the machine's monotonic clock, so the TTFT error splits into the request's way in
    /// (client sent -> server handler start: the client's send, loopback, the server's parsing and dispatch) and the first
    /// token's way out (server flushed -> client stamped: loopback, the client's wake-up and parsing). A simulator on
    /// another machine has another clock: no legs (NaN).
    /// </summary>
    private static ((double P50, double P99, int Count) WayIn, (double P50, double P99, int Count) WayOut) Legs(SimulatorProcess simulator, IEnumerable<(long Sent, long FirstContent, GroundTruthRecord Server)> requests)
    {
        var timed = requests.Where(r => simulator.IsLocal && r.Server.ArrivalTimestamp != 0 && r.Server.FirstContentTimestamp != 0).ToList();
        return (Percentiles.P50P99(timed.Select(r => (r.Server.ArrivalTimestamp - r.Sent) * Ms)),
            Percentiles.P50P99(timed.Select(r => (r.FirstContent - r.Server.FirstContentTimestamp) * Ms)));
    }

    private static string Both((double P50, double P99, int Count) percentiles) => $"{Suite.F(percentiles.P50, 2)} / {Suite.F(percentiles.P99, 2)}";
}
