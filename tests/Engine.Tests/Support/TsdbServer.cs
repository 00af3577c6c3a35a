using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// A real Prometheus or VictoriaMetrics (Debian packages, installed by scripts/test.sh) accepting remote write, on a free
/// loopback port with its own data directory; stopped and removed on dispose.
/// </summary>
public sealed class TsdbServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly HttpClient _http;

    private TsdbServer(Process process, string dir, Uri baseAddress)
    {
        _process = process;
        _dir = dir;
        BaseAddress = baseAddress;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public Uri WriteUrl => new(BaseAddress, "api/v1/write");

    /// <summary>Starts Prometheus 2.x with <c>--web.enable-remote-write-receiver</c>, scraping <paramref name="scrape"/> (host:port) every second.</summary>
    public static Task<TsdbServer> StartAsync(params string[] scrape) => StartAsync(nativeHistograms: false, scrape);

    /// <summary>As <see cref="StartAsync(string[])"/>, with <c>--enable-feature=native-histograms</c> when <paramref name="nativeHistograms"/>.</summary>
    public static async Task<TsdbServer> StartAsync(bool nativeHistograms, params string[] scrape)
    {
        var dir = Directory.CreateTempSubdirectory("guidellm-prom-").FullName;
        var config = "global:\n  scrape_interval: 1h\n" + (scrape.Length == 0 ? string.Empty
            : $"scrape_configs:\n  - job_name: scraped\n    scrape_interval: 1s\n    static_configs:\n      - targets: [{string.Join(", ", scrape.Select(t => $"'{t}'"))}]\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "prometheus.yml"), config);
        var port = LoopbackPorts.Free();
        return await LaunchAsync("prometheus", dir, port,
        [
            $"--config.file={Path.Combine(dir, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(dir, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-remote-write-receiver",
            "--storage.tsdb.retention.time=1d",
            .. nativeHistograms ? ["--enable-feature=native-histograms"] : Array.Empty<string>(),
        ], "-/ready");
    }

    /// <summary>Starts single-node VictoriaMetrics (Prometheus-compatible write and query API).</summary>
    public static async Task<TsdbServer> StartVictoriaMetricsAsync()
    {
        var dir = Directory.CreateTempSubdirectory("guidellm-vm-").FullName;
        var port = LoopbackPorts.Free();
        return await LaunchAsync("victoria-metrics", dir, port,
        [
            $"-httpListenAddr=127.0.0.1:{port}",
            $"-storageDataPath={Path.Combine(dir, "data")}",
            "-search.latencyOffset=0s",
            "-search.disableCache",
            "-retentionPeriod=1d",
        ], "health");
    }

    private static async Task<TsdbServer> LaunchAsync(string name, string dir, int port, string[] args, string readyPath)
    {
        var binary = new[] { $"/usr/bin/{name}", $"/usr/local/bin/{name}" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{name} is not installed: run scripts/test.sh (it installs Debian's {name} package)");
        var info = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new TsdbServer(process, dir, new Uri($"http://127.0.0.1:{port}/"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await server._http.GetAsync(readyPath)).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        throw new InvalidOperationException($"{name} did not become ready");
    }

    /// <summary>An instant query at <paramref name="at"/>: (labels, value) per series.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql, DateTimeOffset at)
    {
        var time = (at.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture);
        using var doc = await GetAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}&time={time}");
        var result = doc.RootElement.GetProperty("data").GetProperty("result");
        return [.. result.EnumerateArray().Select(r => (
            r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))];
    }

    /// <summary>Raw samples of a range selector, per series.</summary>
    public async Task<List<(Dictionary<string, string> Labels, List<(DateTimeOffset At, double Value)> Samples)>> RawAsync(string selector, DateTimeOffset at)
    {
        var time = (at.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture);
        using var doc = await GetAsync($"api/v1/query?query={Uri.EscapeDataString(selector)}&time={time}");
        var result = doc.RootElement.GetProperty("data").GetProperty("result");
        return [.. result.EnumerateArray().Select(r => (
            r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            r.GetProperty("values").EnumerateArray().Select(v => (
                DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(v[0].GetDouble() * 1000)),
                double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture))).ToList()))];
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<JsonDocument> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonDocument.Parse(text) : throw new InvalidOperationException($"prometheus {path}: {(int)response.StatusCode} {text}");
    }
}
