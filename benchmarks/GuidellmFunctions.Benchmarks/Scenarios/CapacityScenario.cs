using System.Globalization;
using System.Text;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// Generator capacity, non-streaming: the most requests per second each generator gets from a simulator answering at
/// once, with the same connections and the same body: the runner, wrk and hey (and Locust's FastHttpUser when present).
/// </summary>
internal static class CapacityScenario
{
    public const int Connections = 64;

    public static async Task RunAsync(Suite suite)
    {
        await using var simulator = await SimulatorProcess.StartAsync(new SimulatorOptions { TtftMs = 0, ItlMs = 0, OutputTokens = 1, MaxBatch = 100_000, GroundTruthCapacity = 0 });
        var body = FixedBodySource.Body(stream: false, maxTokens: 1);
        var dir = Directory.CreateTempSubdirectory("guidellm-bench-").FullName;
        var seconds = (int)suite.StageLength.TotalSeconds;
        var rows = new List<(string Generator, double Rps, string Note)>();
        try
        {
            var settings = new BenchmarkSettings
            {
                Profile = ProfileKind.Concurrent, Rate = Connections, MaxDuration = suite.StageLength, RequestTimeout = TimeSpan.FromSeconds(30),
                Warmup = TimeSpan.FromSeconds(1),
            };

            // A short first burst warms the JIT and the connection pool, as wrk's and hey's native code need no warming.
            await Burst.RunAsync(simulator.V1, settings with { MaxDuration = TimeSpan.FromSeconds(2), Warmup = TimeSpan.Zero }, new FixedBodySource(simulator.ChatCompletions, body, 1)).ConfigureAwait(false);
            var runner = await Burst.RunAsync(simulator.V1, settings, new FixedBodySource(simulator.ChatCompletions, body, 1)).ConfigureAwait(false);
            var ok = runner.Summary.Requests.Successful;
            var cpuPerRequest = runner.Cpu.TotalMicroseconds / Math.Max(1, runner.Capture.Total);
            rows.Add(("guidellm-runner", runner.Summary.Throughput.RequestsPerSecond, $"{ok} ok, {runner.Summary.Requests.Failed} failed, {Suite.F(cpuPerRequest, 0)} CPU µs/request"));

            var (rawRps, rawCpu) = await RawHttpClientAsync(simulator.ChatCompletions, body, suite.StageLength).ConfigureAwait(false);
            rows.Add(("bare HttpClient loop", rawRps, $"{Suite.F(rawCpu, 0)} CPU µs/request: .NET's HTTP stack alone, nothing measured"));

            var bodyFile = Path.Combine(dir, "body.json");
            await File.WriteAllBytesAsync(bodyFile, body).ConfigureAwait(false);
            var lua = Path.Combine(dir, "post.lua");
            await File.WriteAllTextAsync(lua, $"wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = [[{Encoding.UTF8.GetString(body)}]]\n").ConfigureAwait(false);
            if (ExternalTool.Installed("wrk"))
            {
                var (rps, output) = await ExternalTool.RunAsync("wrk", ["-t2", $"-c{Connections}", $"-d{seconds}s", "-s", lua, simulator.ChatCompletions.ToString()], ExternalTool.RequestsPerSecond()).ConfigureAwait(false);
                rows.Add(("wrk 4.1 (-t2)", rps, output.Contains("Non-2xx", StringComparison.Ordinal) ? "NON-2XX RESPONSES" : "all 2xx"));
            }
            else
            {
                rows.Add(("wrk", double.NaN, "not installed (apt-get install wrk)"));
            }

            if (ExternalTool.Installed("hey"))
            {
                var (rps, _) = await ExternalTool.RunAsync("hey", ["-z", $"{seconds}s", "-c", Connections.ToString(CultureInfo.InvariantCulture), "-m", "POST", "-T", "application/json", "-D", bodyFile, simulator.ChatCompletions.ToString()], ExternalTool.RequestsPerSecond()).ConfigureAwait(false);
                rows.Add(("hey 0.1.4", rps, string.Empty));
            }
            else
            {
                rows.Add(("hey", double.NaN, "not installed (apt-get install hey)"));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        var wrkRps = rows.FirstOrDefault(r => r.Generator.StartsWith("wrk", StringComparison.Ordinal)).Rps;
        var runnerRps = rows[0].Rps;
        suite.Table($"1. Non-streaming capacity: {Connections} connections, {seconds} s, simulator answering at once (own process)",
            ["generator", "requests/s", "runner / this", "note"],
            rows.Select(r => new[] { r.Generator, Suite.F(r.Rps, 0), Suite.F(runnerRps / r.Rps, 2), r.Note }));
        suite.Sections["capacity"] = new
        {
            connections = Connections,
            seconds,
            generators = rows.Select(r => new { generator = r.Generator, requestsPerSecond = r.Rps, note = r.Note }),
            runnerToWrk = runnerRps / wrkRps,
        };
        suite.Goals.Add(new Goal("non-streaming rate vs wrk", ">= 0.8x", Suite.F(runnerRps / wrkRps, 2) + "x", double.IsNaN(wrkRps) ? null : runnerRps / wrkRps >= 0.8));
    }

    /// <summary>The floor under the runner: the same requests from bare HttpClient loops, nothing timed or recorded.</summary>
    private static async Task<(double RequestsPerSecond, double CpuMicrosPerRequest)> RawHttpClientAsync(Uri endpoint, byte[] body, TimeSpan length)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseCookies = false, UseProxy = false };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource(length);
        long count = 0;
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                Interlocked.Increment(ref count);
            }
        }))).ConfigureAwait(false);
        self.Refresh();
        return (count / clock.Elapsed.TotalSeconds, (self.TotalProcessorTime - cpu).TotalMicroseconds / Math.Max(1, count));
    }
}
