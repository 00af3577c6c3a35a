using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// Generator capacity, non-streaming: the most requests per second each generator gets from a simulator answering at
/// once, with the same connections and the same body: the runner, wrk, hey and Locust's FastHttpUser.
/// </summary>
internal static class CapacityScenario
{
    public const int Connections = 64;

    public static async Task RunAsync(Suite suite)
    {
        await using var simulator = await SimulatorProcess.StartAsync(new SimulatorOptions { TtftMs = 0, ItlMs = 0, OutputTokens = 1, MaxBatch = 100_000, GroundTruthCapacity = 0 });
        var body = FixedBodySource.Body(stream: false, maxTokens: 1);
        var dir = Directory.CreateTempSubdirectory("guidellm-bench-").FullName;

        // The machine is shared: its speed drifts by 10-20% over a minute. Each round runs every generator for a few
        // seconds back to back, wrk right beside the runner, and the ratio to wrk is taken within a round, then the
        // median over rounds.
        var rounds = suite.Quick ? 1 : 6;
        var length = suite.Quick ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(5);
        var seconds = (int)length.TotalSeconds;
        var generators = new List<(string Name, Func<Task<(double Rps, string Note)>> Run)>();
        try
        {
            var settings = new BenchmarkSettings
            {
                Profile = ProfileKind.Concurrent, Rate = Connections, MaxDuration = length, RequestTimeout = TimeSpan.FromSeconds(30),
                Warmup = TimeSpan.FromSeconds(1),
            };

            // A first burst warms the JIT and the connection pool, as wrk's and hey's native code need no warming. Under full
            // load the runtime's tier-1 recompilation competes with the load for the two cores and takes seconds to settle.
            await Burst.RunAsync(simulator.V1, settings with { MaxDuration = TimeSpan.FromSeconds(suite.Quick ? 3 : 10), Warmup = TimeSpan.Zero }, new FixedBodySource(simulator.ChatCompletions, body, 1)).ConfigureAwait(false);
            generators.Add(("guidellm-runner", () => RunnerAsync(simulator, settings, body)));
            var bodyFile = Path.Combine(dir, "body.json");
            await File.WriteAllBytesAsync(bodyFile, body).ConfigureAwait(false);
            var lua = Path.Combine(dir, "post.lua");
            await File.WriteAllTextAsync(lua, $"wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = [[{Encoding.UTF8.GetString(body)}]]\n").ConfigureAwait(false);
            generators.Add(Wrk("wrk 4.1 (-t2)", lua, simulator.ChatCompletions, seconds));
            generators.Add(("bare HttpClient loop", async () =>
            {
                var (rps, cpu) = await RawHttpClientAsync(simulator.ChatCompletions, body, length).ConfigureAwait(false);
                return (rps, $"{Suite.F(cpu, 1)} CPU µs/request: .NET's HttpClient alone, nothing measured");
            }));
            generators.Add(("runner's HTTP/1.1 client alone", async () =>
            {
                var (rps, cpu) = await RunnerClientAsync(simulator.ChatCompletions, body, length).ConfigureAwait(false);
                return (rps, $"{Suite.F(cpu, 1)} CPU µs/request: Http1Transport, the body read and dropped, nothing parsed or measured");
            }));
            generators.Add(("bare socket loop", async () =>
            {
                var (rps, cpu) = await RawSocketAsync(simulator.ChatCompletions, body, length).ConfigureAwait(false);
                return (rps, $"{Suite.F(cpu, 1)} CPU µs/request: .NET sockets alone, no HTTP client");
            }));

            generators.Add(ExternalTool.Installed("hey")
                ? ("hey 0.1.4", async () =>
                {
                    var (rps, _, cpu) = await ExternalTool.RunAsync("hey", ["-z", $"{seconds}s", "-c", Connections.ToString(CultureInfo.InvariantCulture), "-m", "POST", "-T", "application/json", "-D", bodyFile, simulator.ChatCompletions.ToString()], ExternalTool.RequestsPerSecond()).ConfigureAwait(false);
                    return (rps, CpuPerRequest(cpu, rps, seconds));
                })
                : ("hey", () => Task.FromResult((double.NaN, "not installed (apt-get install hey)"))));

            // Locust in one process (one core), and as a master with a worker process per core.
            await Locust.PrepareAsync(dir, simulator.ChatCompletions, body).ConfigureAwait(false);
            foreach (var workers in (int[])[1, Environment.ProcessorCount])
            {
                var name = workers == 1 ? "Locust 2.12 FastHttpUser, 1 process" : $"Locust 2.12 FastHttpUser, {workers} workers";
                generators.Add(Locust.Installed
                    ? (name, async () =>
                    {
                        var (rps, failures, cpu) = await Locust.RunAsync(dir, simulator.ChatCompletions, Connections, seconds, workers).ConfigureAwait(false);
                        return (rps, $"{CpuPerRequest(cpu, rps, seconds)}, {failures} failed");
                    })
                    : (name, () => Task.FromResult((double.NaN, "not installed (apt-get install python3-locust)"))));
            }

            var results = await RoundsAsync(simulator, generators, rounds, seconds).ConfigureAwait(false);
            Report(suite, seconds, rounds, generators.Select(g => g.Name).ToList(), results);
            await TlsAsync(suite, lua, rounds, length).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// The same requests to a simulator serving https (TLS 1.3, ECDSA P-256, HTTP/1.1 and HTTP/2 offered): the runner's
    /// HTTP/1.1 client over TLS, .NET's HttpClient (<c>http_client: httpclient</c>, which negotiates HTTP/2) and wrk.
    /// </summary>
    private static async Task TlsAsync(Suite suite, string lua, int rounds, TimeSpan length)
    {
        await using var simulator = await SimulatorProcess.StartAsync(new SimulatorOptions { TtftMs = 0, ItlMs = 0, OutputTokens = 1, MaxBatch = 100_000, GroundTruthCapacity = 0, Tls = true });
        var body = FixedBodySource.Body(stream: false, maxTokens: 1);
        var seconds = (int)length.TotalSeconds;
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = Connections, MaxDuration = length, RequestTimeout = TimeSpan.FromSeconds(30),
            Warmup = TimeSpan.FromSeconds(1), InsecureSkipVerify = true,
        };
        var generators = new List<(string Name, Func<Task<(double Rps, string Note)>> Run)>();
        foreach (var (name, client) in new[] { ("guidellm-runner (HTTP/1.1 over TLS)", HttpClientKind.Runner), ("guidellm-runner, http_client: httpclient (HTTP/2)", HttpClientKind.HttpClient) })
        {
            var these = settings with { HttpClient = client };
            await Burst.RunAsync(simulator.V1, these with { MaxDuration = TimeSpan.FromSeconds(3), Warmup = TimeSpan.Zero }, new FixedBodySource(simulator.ChatCompletions, body, 1)).ConfigureAwait(false);
            generators.Add((name, () => RunnerAsync(simulator, these, body)));
        }

        generators.Insert(1, Wrk("wrk 4.1 (-t2, OpenSSL)", lua, simulator.ChatCompletions, seconds));
        var results = await RoundsAsync(simulator, generators, rounds, seconds).ConfigureAwait(false);
        var rows = Rows(generators.Select(g => g.Name).ToList(), results, rounds);
        suite.Table($"1b. Non-streaming capacity over TLS: {Connections} connections, {rounds} interleaved round(s) of {seconds} s per generator, simulator serving https",
            ["generator", "requests/s (median)", "per round", "runner / this (median of rounds)", "note (last round)"], rows.Select(r => r.Cells));
        suite.Sections["capacityTls"] = new { connections = Connections, seconds, rounds, generators = rows.Select(r => r.Result) };
    }

    private static void Report(Suite suite, int seconds, int rounds, List<string> names, List<List<(double Rps, string Note)>> results)
    {
        var wrk = names.FindIndex(n => n.StartsWith("wrk", StringComparison.Ordinal));
        var rows = Rows(names, results, rounds);
        suite.Table($"1. Non-streaming capacity: {Connections} connections, {rounds} interleaved round(s) of {seconds} s per generator, simulator answering at once (own process)",
            ["generator", "requests/s (median)", "per round", "runner / this (median of rounds)", "note (last round)"], rows.Select(r => r.Cells));
        var runnerToWrk = wrk < 0 ? double.NaN : rows[wrk].RunnerToThis;
        // Against Locust using every core, as it would be run to get the most from it.
        var locust = names.FindLastIndex(n => n.StartsWith("Locust", StringComparison.Ordinal));
        var runnerToLocust = locust < 0 ? double.NaN : rows[locust].RunnerToThis;
        suite.Sections["capacity"] = new { connections = Connections, seconds, rounds, generators = rows.Select(r => r.Result), runnerToWrk, runnerToLocust };
        suite.Goals.Add(new Goal("non-streaming rate vs wrk", ">= 0.8x", Suite.F(runnerToWrk, 2) + "x", double.IsNaN(runnerToWrk) ? null : runnerToWrk >= 0.8));
        suite.Goals.Add(new Goal("non-streaming rate vs Locust FastHttpUser (a worker per core)", ">= 10x", Suite.F(runnerToLocust, 1) + "x", double.IsNaN(runnerToLocust) ? null : runnerToLocust >= 10));
    }

    /// <summary>One burst of the runner (the first generator of every table) with <paramref name="settings"/>.</summary>
    private static async Task<(double Rps, string Note)> RunnerAsync(SimulatorProcess simulator, BenchmarkSettings settings, byte[] body)
    {
        var runner = await Burst.RunAsync(simulator.V1, settings, new FixedBodySource(simulator.ChatCompletions, body, 1)).ConfigureAwait(false);
        var requests = Math.Max(1, runner.Capture.Total);
        return (runner.Summary.Throughput.RequestsPerSecond,
            $"{runner.Summary.Requests.Failed} failed, {Suite.F(runner.Cpu.TotalMicroseconds / requests, 1)} CPU µs/request, {Suite.F(runner.AllocatedBytes / (double)requests, 0)} B/request allocated");
    }

    internal static (string Name, Func<Task<(double Rps, string Note)>> Run) Wrk(string name, string lua, Uri endpoint, int seconds) =>
        ExternalTool.Installed("wrk")
            ? (name, async () =>
            {
                var (rps, output, cpu) = await ExternalTool.RunAsync("wrk", ["-t2", $"-c{Connections}", $"-d{seconds}s", "-s", lua, endpoint.ToString()], ExternalTool.RequestsPerSecond()).ConfigureAwait(false);
                return (rps, $"{CpuPerRequest(cpu, rps, seconds)}, " + (output.Contains("Non-2xx", StringComparison.Ordinal) ? "NON-2XX RESPONSES" : "all 2xx"));
            })
            : ("wrk", () => Task.FromResult((double.NaN, "not installed (apt-get install wrk)")));

    /// <summary>
    /// Every generator in turn, <paramref name="rounds"/> times, with the server's CPU per request beside each one's: a
    /// generator whose requests cost the server more gets fewer. Every other round runs them in reverse order, so that
    /// each generator's place in the round (what ran just before it) is balanced over an even number of rounds.
    /// </summary>
    internal static async Task<List<List<(double Rps, string Note)>>> RoundsAsync(SimulatorProcess simulator, List<(string Name, Func<Task<(double Rps, string Note)>> Run)> generators, int rounds, int seconds)
    {
        var results = generators.Select(_ => new List<(double Rps, string Note)>()).ToList();
        for (var round = 0; round < rounds; round++)
        {
            for (var turn = 0; turn < generators.Count; turn++)
            {
                var g = round % 2 == 0 ? turn : generators.Count - 1 - turn;
                var simulatorCpu = simulator.CpuTime;
                var (rps, note) = await generators[g].Run().ConfigureAwait(false);
                results[g].Add((rps, $"{note}; simulator {CpuPerRequest(simulator.CpuTime - simulatorCpu, rps, seconds)}"));
            }
        }

        return results;
    }

    /// <summary>Medians over the rounds, the runner (the first generator) against each within a round.</summary>
    internal static List<(string[] Cells, double RunnerToThis, object Result)> Rows(List<string> names, List<List<(double Rps, string Note)>> results, int rounds) =>
        [.. names.Select((name, g) =>
        {
            var rps = Median(results[g].Select(r => r.Rps));
            var perRound = results[g].Select(r => r.Rps).ToArray();
            var runnerToThis = Median(Enumerable.Range(0, rounds).Select(r => results[0][r].Rps / results[g][r].Rps));
            var note = results[g][^1].Note;
            string[] cells = [name, Suite.F(rps, 0), string.Join(" ", perRound.Select(v => Suite.F(v, 0))), Suite.F(runnerToThis, 2), note];
            return (cells, runnerToThis, (object)new { generator = name, requestsPerSecond = rps, perRound, runnerToThis, note });
        })];

    /// <summary>CPU per request of a tool that ran <paramref name="seconds"/> at <paramref name="rps"/> (start-up included).</summary>
    private static string CpuPerRequest(TimeSpan cpu, double rps, int seconds) =>
        cpu == TimeSpan.Zero || !(rps > 0) ? "CPU not measured" : $"{Suite.F(cpu.TotalMicroseconds / (rps * seconds), 1)} CPU µs/request";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The floor under the runner: the same requests from bare HttpClient loops, nothing timed or recorded.</summary>
    private static Task<(double RequestsPerSecond, double CpuMicrosPerRequest)> RawHttpClientAsync(Uri endpoint, byte[] body, TimeSpan length)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseCookies = false, UseProxy = false };
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        return MeasureLoopsAsync(length, client, async (stop, counted) =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                counted();
            }
        });
    }

    /// <summary>
    /// The runner's own HTTP/1.1 client with nothing above it: what the runner spends beyond this is the streaming
    /// client (the response's JSON, its events) and the measuring (timestamps, records, the stage's bookkeeping).
    /// </summary>
    private static Task<(double RequestsPerSecond, double CpuMicrosPerRequest)> RunnerClientAsync(Uri endpoint, byte[] body, TimeSpan length)
    {
        var transport = new Http1Transport();
        return MeasureLoopsAsync(length, transport, async (stop, counted) =>
        {
            var request = new CompletionRequest(endpoint, body, "capacity");
            var buffer = new byte[8192];
            while (!stop.IsCancellationRequested)
            {
                var response = await transport.SendAsync(request, TargetRequestKind.Completion, CancellationToken.None).ConfigureAwait(false);
                await using (response.ConfigureAwait(false))
                {
                    while (await response.Body.ReadAsync(buffer).ConfigureAwait(false) > 0)
                    {
                    }
                }

                counted();
            }
        });
    }

    /// <summary>The floor under any .NET client: keep-alive HTTP/1.1 written and read over bare sockets.</summary>
    private static Task<(double RequestsPerSecond, double CpuMicrosPerRequest)> RawSocketAsync(Uri endpoint, byte[] body, TimeSpan length)
    {
        var request = BareHttp.Post(endpoint, body);
        return MeasureLoopsAsync(length, null, async (stop, counted) =>
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(endpoint.Host, endpoint.Port).ConfigureAwait(false);
            var buffer = new byte[8192];
            while (!stop.IsCancellationRequested)
            {
                await socket.SendAsync(request, SocketFlags.None).ConfigureAwait(false);
                var have = 0;
                do
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    have += read;
                }
                while (!BareHttp.EndsResponse(buffer.AsSpan(0, have)));

                counted();
            }
        });
    }

    /// <summary>
    /// Runs <paramref name="loop"/> on each of the connections until <paramref name="length"/> has passed; the rate of the
    /// requests it counts, and this process's CPU per request. Disposes <paramref name="owned"/> afterwards.
    /// </summary>
    private static async Task<(double RequestsPerSecond, double CpuMicrosPerRequest)> MeasureLoopsAsync(TimeSpan length, IDisposable? owned, Func<CancellationToken, Action, Task> loop)
    {
        using var disposing = owned;
        using var stop = new CancellationTokenSource(length);
        long count = 0;
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => Task.Run(() => loop(stop.Token, () => Interlocked.Increment(ref count))))).ConfigureAwait(false);
        self.Refresh();
        return (count / clock.Elapsed.TotalSeconds, (self.TotalProcessorTime - cpu).TotalMicroseconds / Math.Max(1, count));
    }
}
