using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Simulator;
using GuidellmFunctions.Simulator.Serving;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>
/// The simulator in a process of its own (this program's <c>simulator-host</c> verb), so the load generator measured here
/// does not share its thread pool or its garbage collector with the server; or one already running elsewhere
/// (<see cref="Attach"/>), typically on another machine.
/// </summary>
internal sealed class SimulatorProcess : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Process? _process;
    private readonly HttpClient _http;

    private SimulatorProcess(Process? process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        // A simulator serving https presents a self-signed certificate made at its start.
        var handler = new SocketsHttpHandler();
        if (baseAddress.Scheme == Uri.UriSchemeHttps)
        {
#pragma warning disable CA5359 // The simulator this program started, on the loopback.
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public Uri BaseAddress { get; }

    public Uri V1 => new(BaseAddress, "v1");

    public Uri ChatCompletions => new(BaseAddress, "v1/chat/completions");

    /// <summary>True when this program started the simulator on this machine, whose clock it then shares.</summary>
    public bool IsLocal => _process is not null;

    /// <summary>CPU time the simulator has used so far (zero for one this program did not start).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            if (_process is null)
            {
                return TimeSpan.Zero;
            }

            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// A simulator started elsewhere (<c>guidellm-runner simulate</c> with the scenario's options), at
    /// <paramref name="baseAddress"/>; its ground truth holds earlier runs' requests too, told apart by request id.
    /// </summary>
    public static SimulatorProcess Attach(Uri baseAddress) =>
        new(null, baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/"));

    /// <summary>
    /// Starts the simulator; with <paramref name="cpu"/>, every thread of it runs on that core only (taskset). With
    /// <paramref name="wireTruth"/>, a <see cref="WireTruthServer"/> with the options' TTFT, ITL and output tokens instead.
    /// </summary>
    public static async Task<SimulatorProcess> StartAsync(SimulatorOptions options, int? cpu = null, bool wireTruth = false)
    {
        var info = Self.StartInfo(cpu,
            "simulator-host",
            "--ttft-ms", Invariant(options.TtftMs),
            "--itl-ms", Invariant(options.ItlMs),
            "--itl-load-factor", Invariant(options.ItlLoadFactor),
            "--output-tokens", Invariant(options.OutputTokens),
            "--tokens-per-chunk", Invariant(options.TokensPerChunk),
            "--max-batch", Invariant(options.MaxBatch),
            "--prefill-ms-per-token", Invariant(options.PrefillMsPerToken),
            "--max-batched-tokens", Invariant(options.MaxBatchedTokens),
            "--kv-cache-tokens", Invariant(options.KvCacheTokens),
            "--block-size", Invariant(options.BlockSize),
            "--prefix-caching", options.PrefixCaching ? "1" : "0",
            "--ground-truth", Invariant(options.GroundTruthCapacity),
            "--tls", options.Tls ? "1" : "0",
            "--wire", wireTruth ? "1" : "0");
        info.RedirectStandardOutput = true;
        info.RedirectStandardInput = true;
        if (Program.SetInlineCompletions)
        {
            info.Environment.Remove(LoadGeneratorRuntime.InlineSocketCompletionsVariable);
        }

        var process = Process.Start(info)!;
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            process.Kill();
            throw new InvalidOperationException("the simulator did not start: " + line);
        }

        return new SimulatorProcess(process, new Uri(line["listening ".Length..]));
    }

    /// <summary>The server's own record of every request it still holds, by request id.</summary>
    public async Task<Dictionary<string, GroundTruthRecord>> GroundTruthAsync()
    {
        var records = new Dictionary<string, GroundTruthRecord>(StringComparer.Ordinal);
        using var stream = await _http.GetStreamAsync(new Uri("debug/ground-truth", UriKind.Relative)).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0 && JsonSerializer.Deserialize<GroundTruthRecord>(line, Json) is { } record)
            {
                records[record.RequestId] = record;
            }
        }

        return records;
    }

    /// <summary>The server's <c>/metrics</c> text.</summary>
    public Task<string> MetricsAsync() => _http.GetStringAsync(new Uri("metrics", UriKind.Relative));

    public async Task<bool> HealthyAsync() => (await _http.GetAsync(new Uri("health", UriKind.Relative)).ConfigureAwait(false)).IsSuccessStatusCode;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            // Closing stdin asks the host to stop; kill if it does not.
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs a simulator until standard input closes: the child side of <see cref="StartAsync"/>.</summary>
    public static async Task<int> HostAsync(string[] args)
    {
        double Arg(string name, double fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }

        var options = new SimulatorOptions
        {
            TtftMs = Arg("--ttft-ms", 0),
            ItlMs = Arg("--itl-ms", 0),
            ItlLoadFactor = Arg("--itl-load-factor", 0),
            OutputTokens = (int)Arg("--output-tokens", 16),
            TokensPerChunk = (int)Arg("--tokens-per-chunk", 1),
            MaxBatch = (int)Arg("--max-batch", 100_000),
            PrefillMsPerToken = Arg("--prefill-ms-per-token", 0),
            MaxBatchedTokens = (int)Arg("--max-batched-tokens", 0),
            KvCacheTokens = (int)Arg("--kv-cache-tokens", 0),
            BlockSize = (int)Arg("--block-size", 16),
            PrefixCaching = Arg("--prefix-caching", 1) != 0,
            GroundTruthCapacity = (int)Arg("--ground-truth", 0),
            Tls = Arg("--tls", 0) != 0,
        };
        if (Arg("--wire", 0) != 0)
        {
            await using var wire = WireTruthServer.Start(options.TtftMs, options.ItlMs, options.OutputTokens);
            Console.WriteLine("listening " + wire.BaseAddress);
            await Console.In.ReadToEndAsync().ConfigureAwait(false);
            return 0;
        }

        await using var server = await SimulatorServer.StartAsync(options).ConfigureAwait(false);
        Console.WriteLine("listening " + server.BaseAddress);
        await Console.In.ReadToEndAsync().ConfigureAwait(false);
        return 0;
    }
}
