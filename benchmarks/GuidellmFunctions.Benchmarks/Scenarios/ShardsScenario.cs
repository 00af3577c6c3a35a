using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Runs;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;
using Spectre.Console;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// A run sharded across 1, 2 and 4 real <c>guidellm-runner worker --drain</c> processes (issue 21): Azurite's queue and
/// blob archive, the simulator in its own process with a small TTFT and ITL (so the runner, not the server's latency, is
/// the limit), one <c>enqueue --shards N</c> of a constant-rate run, and the merged report's achieved rate, dispatch
/// delay and TTFT beside each worker's CPU, the simulator's and the machine's. The asked rate is the first of a doubling
/// series that one worker does not follow (its achieved rate under 90% of the asked).
/// </summary>
internal static class ShardsScenario
{
    private const double Followed = 0.9;
    private static readonly SimulatorOptions Simulated = new() { TtftMs = 2, ItlMs = 1, ItlLoadFactor = 0, OutputTokens = 8, MaxBatch = 100_000 };
    private static readonly double[] Calibration = [500, 1000, 2000, 4000, 8000, 16000];

    public static async Task RunAsync(Suite suite)
    {
        var cli = CliPath();
        if (cli is null)
        {
            suite.Console.WriteLine("shards: src/Cli/bin/Release/net10.0/guidellm-runner.dll not found (scripts/bench.sh builds it); skipped");
            return;
        }

        var seconds = suite.Quick ? 4 : 10;
        await using var azurite = await AzuriteServer.StartAsync(queue: true).ConfigureAwait(false);
        await using var simulator = await SimulatorProcess.StartAsync(Simulated).ConfigureAwait(false);
        var dir = Directory.CreateTempSubdirectory("guidellm-bench-shards-").FullName;
        try
        {
            var bench = new Bench(cli, dir, azurite.ConnectionString, simulator);
            var rows = new List<string[]>();
            var results = new List<Round>();

            // Where one worker stops following the asked rate.
            var asked = Calibration[^1];
            foreach (var rate in Calibration)
            {
                var round = await bench.RunAsync(1, rate, suite.Quick ? 3 : 4).ConfigureAwait(false);
                rows.Add(round.Cells("1 (search)"));
                results.Add(round);
                if (round.Achieved < Followed * rate)
                {
                    asked = rate;
                    break;
                }
            }

            foreach (var workers in (int[])[1, 2, 4])
            {
                var round = await bench.RunAsync(workers, asked, seconds).ConfigureAwait(false);
                rows.Add(round.Cells(workers.ToString(CultureInfo.InvariantCulture)));
                results.Add(round);
            }

            suite.Table(
                $"14. One constant-rate run sharded across worker processes (simulator TTFT {Simulated.TtftMs} ms, ITL {Simulated.ItlMs} ms, {Simulated.OutputTokens} tokens; Azurite queue and archive; {Environment.ProcessorCount} cores)",
                ["workers", "s", "asked/s", "sent/s", "ok/s", "failed", "valid", "CPU s per worker (burst)", "workers CPU s", "simulator CPU s", "busy", "dispatch p99 ms", "TTFT p50/p99 ms", "skew ms", "load"],
                rows);
            suite.Sections["shards"] = results;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The CLI the benchmark drives: built in Release beside this program's build (scripts/bench.sh builds it).</summary>
    private static string? CliPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Cli", "bin", "Release", "net10.0", "guidellm-runner.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>One run: the figures of its merged report and of the processes.</summary>
    internal sealed record Round(
        int Workers, double Seconds, double Asked, double Achieved, double Successful, long Failed, bool? Valid, IReadOnlyList<double> WorkerCpuSeconds,
        IReadOnlyList<double> WorkerBurstCpuSeconds, double SimulatorCpuSeconds, double MachineBusy, double DispatchP99Ms, double TtftP50Ms, double TtftP99Ms,
        double StartSkewMaxMs, string LoadAverage, IReadOnlyList<string> Reasons)
    {
        /// <summary>The validity rules the shards broke (<c>shard i: dispatch_delay: ...</c> gives <c>dispatch_delay</c>), each once.</summary>
        public string Broken => string.Join(" ", Reasons.Select(r => r.StartsWith("shard ", StringComparison.Ordinal) ? r[(r.IndexOf(':', StringComparison.Ordinal) + 2)..] : r)
            .Select(r => r[..Math.Max(0, r.IndexOf(':', StringComparison.Ordinal))]).Distinct(StringComparer.Ordinal));

        public string[] Cells(string workers) =>
        [
            workers, Suite.F(Seconds, 0), Suite.F(Asked, 0), Suite.F(Achieved, 0), Suite.F(Successful, 0), Failed.ToString(CultureInfo.InvariantCulture),
            Valid switch { true => "yes", false => "no: " + Broken, null => "-" },
            string.Join(" ", WorkerCpuSeconds.Zip(WorkerBurstCpuSeconds, (t, b) => $"{Suite.F(t, 1)} ({Suite.F(b, 1)})")),
            Suite.F(WorkerCpuSeconds.Sum(), 1), Suite.F(SimulatorCpuSeconds, 1), Suite.F(MachineBusy * 100, 0) + "%",
            Suite.F(DispatchP99Ms, 1), $"{Suite.F(TtftP50Ms, 1)} / {Suite.F(TtftP99Ms, 1)}", Suite.F(StartSkewMaxMs, 0), LoadAverage,
        ];
    }

    private sealed class Bench(string cli, string dir, string connection, SimulatorProcess simulator)
    {
        private int _runs;

        public async Task<Round> RunAsync(int workers, double rate, int seconds)
        {
            var run = string.Create(CultureInfo.InvariantCulture, $"bench-shards-{++_runs}-{workers}w-{rate:0}");
            var queue = run;
            var config = Path.Combine(dir, run + ".yaml");
            await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $$"""
                environments:
                  bench:
                    targets:
                      - { name: simulator, url: "{{simulator.V1}}", model: "{{Burst.Model}}" }
                defaults:
                  profile: constant
                  rate: {{rate}}
                  max_seconds: {{seconds}}
                  request_timeout: 30s
                  data_spec: "prompt_tokens=16,output_tokens={{Simulated.OutputTokens}}"
                archive:
                  connection: "{{connection}}"
                  container: reports
                limits:
                  rate: 1000000
                  streams: 100000
                  requests: 100000000
                """)).ConfigureAwait(false);
            var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg").ConfigureAwait(false)).Split(' ')[0] : "-";

            // Long enough for the worker processes to start (dotnet, JIT, the queue's first receive) on a loaded machine.
            var startAt = DateTimeOffset.UtcNow.AddSeconds(10);
            if (workers == 1)
            {
                // enqueue --shards 1 posts a plain run that starts when taken; one shard of one keeps the path of the others
                // (startAt, a shard report, the merge).
                var message = ShardMessages.Shard(RunRequestParser.Compose(run, "bench", [], [], "bench"), 1, 1, startAt);
                await new RunQueue(connection, queue).SendAsync(message).ConfigureAwait(false);
            }
            else
            {
                var enqueue = await ExitOfAsync(Cli(config, queue, "enqueue", "--environment", "bench", "--run-id", run, "--shards", workers.ToString(CultureInfo.InvariantCulture), "--start-at", startAt.ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
                if (enqueue.Code != 0)
                {
                    throw new InvalidOperationException($"enqueue exited {enqueue.Code}: {enqueue.Output}");
                }
            }

            var simulatorBefore = simulator.CpuTime;
            var watched = Enumerable.Range(0, workers).Select(i => Watched.Start(Cli(config, queue, "worker", "--drain", "--log-level", "Warning", "--output", Path.Combine(dir, $"{run}-worker-{i}")))).ToList();
            var machine = new MachineCpu();
            await Task.Delay(Math.Max(0, (int)(startAt - DateTimeOffset.UtcNow).TotalMilliseconds)).ConfigureAwait(false);
            var burstFrom = watched.Select(w => w.CpuSeconds).ToList();
            machine.Mark();
            var exits = await Task.WhenAll(watched.Select(w => w.WaitAsync())).ConfigureAwait(false);
            var busy = machine.BusyShare();
            var simulatorCpu = (simulator.CpuTime - simulatorBefore).TotalSeconds;
            foreach (var (code, output) in exits.Where(e => e.Code != 0))
            {
                // Exit 1 is also a run whose report says failed: the merged report, read next, tells.
                Console.Error.WriteLine($"shards: a worker of {run} exited {code}: {string.Join(" | ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3))}");
            }

            using var merged = await MergedAsync(run).ConfigureAwait(false);
            var stage = merged.RootElement.GetProperty("benchmarks")[0];
            var summary = stage.GetProperty("summary");
            var validity = stage.TryGetProperty("validity", out var v) && v.ValueKind == JsonValueKind.Object ? v : (JsonElement?)null;
            double Stat(string name, string p) => summary.GetProperty(name).GetProperty(p).GetDouble();
            return new Round(
                workers,
                stage.GetProperty("measuredSeconds").GetDouble(),
                stage.GetProperty("profile").GetProperty("rate").GetDouble(),
                validity?.GetProperty("achievedRate").GetDouble() ?? double.NaN,
                summary.GetProperty("throughput").GetProperty("requestsPerSecond").GetDouble(),
                summary.GetProperty("requests").GetProperty("failed").GetInt64(),
                validity?.GetProperty("valid").GetBoolean(),
                [.. watched.Select(w => w.CpuSeconds)],
                [.. watched.Select((w, i) => w.CpuSeconds - burstFrom[i])],
                simulatorCpu,
                busy,
                summary.GetProperty("dispatchDelayMs").GetProperty("count").GetInt64() > 0 ? Stat("dispatchDelayMs", "p99") : double.NaN,
                Stat("ttftMs", "p50"),
                Stat("ttftMs", "p99"),
                merged.RootElement.GetProperty("shards").EnumerateArray().Max(s => s.TryGetProperty("startSkewMs", out var skew) && skew.ValueKind == JsonValueKind.Number ? skew.GetDouble() : double.NaN),
                load,
                validity is { } judged ? [.. judged.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!)] : []);
        }

        private ProcessStartInfo Cli(string config, string queue, params string[] args)
        {
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in (string[])[cli, .. args, "--config", config, "--connection", connection, "--queue", queue])
            {
                info.ArgumentList.Add(arg);
            }

            // The worker is measured as it runs in a pod: its own runtime settings, not this program's.
            info.Environment.Remove(Engine.Load.LoadGeneratorRuntime.InlineSocketCompletionsVariable);
            return info;
        }

        private async Task<JsonDocument> MergedAsync(string run)
        {
            var container = new BlobContainerClient(connection, "reports");
            await foreach (var blob in container.GetBlobsAsync().ConfigureAwait(false))
            {
                if (blob.Name.EndsWith($"/{run}.json", StringComparison.Ordinal))
                {
                    var content = await container.GetBlobClient(blob.Name).DownloadContentAsync().ConfigureAwait(false);
                    return JsonDocument.Parse(content.Value.Content.ToString());
                }
            }

            throw new InvalidOperationException($"no merged report {run}.json in the archive");
        }

        private static async Task<(int Code, string Output)> ExitOfAsync(ProcessStartInfo info)
        {
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().ConfigureAwait(false);
            return (process.ExitCode, (await output.ConfigureAwait(false)) + (await error.ConfigureAwait(false)));
        }
    }

    /// <summary>A child process whose CPU (user + sys from /proc/PID/stat) is sampled every 100 ms from its start until it exits.</summary>
    private sealed class Watched
    {
        private readonly Process _process;
        private readonly string _stat;
        private readonly Task<(int Code, string Output)> _exit;
        private double _cpu;

        private Watched(Process process)
        {
            _process = process;
            _stat = $"/proc/{process.Id.ToString(CultureInfo.InvariantCulture)}/stat";
            _exit = WatchAsync(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        }

        /// <summary>User + system CPU seconds at the last sample (the one before exit is at most 100 ms short).</summary>
        public double CpuSeconds => Volatile.Read(ref _cpu);

        public static Watched Start(ProcessStartInfo info) => new(Process.Start(info)!);

        public Task<(int Code, string Output)> WaitAsync() => _exit;

        private async Task<(int Code, string Output)> WatchAsync(Task<string> output, Task<string> error)
        {
            using (_process)
            {
                while (!_process.HasExited)
                {
                    Sample();
                    await Task.Delay(100).ConfigureAwait(false);
                }

                await _process.WaitForExitAsync().ConfigureAwait(false);
                return (_process.ExitCode, (await output.ConfigureAwait(false)) + (await error.ConfigureAwait(false)));
            }
        }

        private void Sample()
        {
            try
            {
                // Fields after the command name's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks (100 a second).
                var text = File.ReadAllText(_stat);
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                Volatile.Write(ref _cpu, ticks / 100.0);
            }
            catch (IOException)
            {
                // Exited between the check and the read: the last sample stands.
            }
        }
    }

    /// <summary>The machine's busy share of all cores between <see cref="Mark"/> and <see cref="BusyShare"/> (/proc/stat).</summary>
    private sealed class MachineCpu
    {
        private (long Busy, long Total) _from;

        public void Mark() => _from = Read();

        public double BusyShare()
        {
            var now = Read();
            var total = now.Total - _from.Total;
            return total > 0 ? (now.Busy - _from.Busy) / (double)total : double.NaN;
        }

        private static (long Busy, long Total) Read()
        {
            if (!File.Exists("/proc/stat"))
            {
                return (0, 0);
            }

            // cpu user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..].Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToList();
            var total = fields.Take(8).Sum();
            return (total - fields[3] - fields[4], total);
        }
    }
}
