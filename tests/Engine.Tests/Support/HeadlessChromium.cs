using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// Debian's Chromium (installed by scripts/test.sh), headless, driven over the DevTools protocol on a loopback
/// WebSocket: opens local pages and reports what a person would see and what a browser would complain about. One
/// browser serves many pages; each page gets its own tab.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string Method, JsonElement Params)>> _events = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public static string Executable => File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : "chromium";

    public static async Task<HeadlessChromium> StartAsync()
    {
        var profile = Directory.CreateTempSubdirectory("guidellm-chromium-").FullName;
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--disable-quic", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                     $"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank"])
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{Executable} cannot be started ({ex.Message}): scripts/test.sh installs Debian's chromium", ex);
        }

        var browser = new HeadlessChromium(process, profile);
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? endpoint = null;
        while (endpoint is null)
        {
            var line = await process.StandardError.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                throw new InvalidOperationException($"chromium exited ({process.ExitCode}) before its DevTools endpoint was up");
            }

            var at = line.IndexOf("ws://", StringComparison.Ordinal);
            if (line.StartsWith("DevTools listening on", StringComparison.Ordinal) && at >= 0)
            {
                endpoint = line[at..].Trim();
            }
        }

        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        await browser._socket.ConnectAsync(new Uri(endpoint), timeout.Token);
        browser._reader = Task.Run(browser.ReadAsync);
        return browser;
    }

    /// <summary>Opens <paramref name="path"/> in a new tab <paramref name="width"/> pixels wide and returns what it did and shows.</summary>
    public async Task<PageVisit> VisitAsync(string path, int width = 1280, int height = 1600)
    {
        var url = new Uri(Path.GetFullPath(path)).AbsoluteUri;
        var target = (await SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" })).GetProperty("targetId").GetString()!;
        var session = (await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target, ["flatten"] = true })).GetProperty("sessionId").GetString()!;
        var events = _events.GetOrAdd(session, _ => new ConcurrentQueue<(string, JsonElement)>());
        try
        {
            foreach (var domain in (string[])["Page", "Runtime", "Log", "Network"])
            {
                await SendAsync(domain + ".enable", [], session);
            }

            await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false }, session);
            await SendAsync("Page.navigate", new JsonObject { ["url"] = url }, session);
            var deadline = Stopwatch.StartNew();
            while (!events.Any(e => e.Method == "Page.loadEventFired"))
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException($"{path} did not finish loading in 30 s");
                }

                await Task.Delay(20);
            }

            var evaluated = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = PageProbe, ["returnByValue"] = true }, session);
            var probe = JsonDocument.Parse(evaluated.GetProperty("result").GetProperty("value").GetString()!).RootElement.Clone();
            var shot = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }, session);
            var screenshot = Convert.FromBase64String(shot.GetProperty("data").GetString()!);

            var errors = new List<string>();
            var requests = new List<string>();
            foreach (var (method, p) in events)
            {
                switch (method)
                {
                    case "Runtime.exceptionThrown":
                        errors.Add("exception: " + p.GetProperty("exceptionDetails").GetRawText());
                        break;
                    case "Runtime.consoleAPICalled" when p.GetProperty("type").GetString() is "error" or "assert" or "warning":
                        errors.Add("console: " + p.GetProperty("args").GetRawText());
                        break;
                    case "Log.entryAdded" when p.GetProperty("entry").GetProperty("level").GetString() is "error" or "warning":
                        errors.Add("log: " + p.GetProperty("entry").GetProperty("text").GetString());
                        break;
                    case "Network.requestWillBeSent":
                        var requested = p.GetProperty("request").GetProperty("url").GetString()!;
                        if (requested != url)
                        {
                            requests.Add(requested);
                        }

                        break;
                }
            }

            return new PageVisit(url, errors, requests, probe, screenshot);
        }
        finally
        {
            await SendAsync("Target.closeTarget", new JsonObject { ["targetId"] = target });
            _events.TryRemove(session, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await SendAsync("Browser.close", []).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException or WebSocketException or OperationCanceledException or InvalidOperationException)
        {
        }

        if (!_process.WaitForExit(5000))
        {
            _process.Kill(entireProcessTree: true);
        }

        _socket.Dispose();
        _process.Dispose();
        _send.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<JsonElement> SendAsync(string method, JsonObject parameters, string? session = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (session is not null)
        {
            message["sessionId"] = session;
        }

        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        await _send.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, _stop.Token);
        }
        finally
        {
            _send.Release();
        }

        return await reply.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var root = JsonDocument.Parse(message.ToArray()).RootElement.Clone();
                message.SetLength(0);
                if (root.TryGetProperty("id", out var id) && _pending.TryRemove(id.GetInt32(), out var reply))
                {
                    if (root.TryGetProperty("error", out var error))
                    {
                        reply.SetException(new InvalidOperationException("DevTools: " + error.GetRawText()));
                    }
                    else
                    {
                        reply.SetResult(root.GetProperty("result"));
                    }
                }
                else if (root.TryGetProperty("method", out var method) && root.TryGetProperty("sessionId", out var session))
                {
                    _events.GetOrAdd(session.GetString()!, _ => new ConcurrentQueue<(string, JsonElement)>()).Enqueue((method.GetString()!, root.GetProperty("params")));
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new InvalidOperationException("chromium's DevTools connection closed"));
        }
    }

    // What the tests read from a page: its charts with their text alternatives and sizes, its tables, its text.
    private const string PageProbe = """
        JSON.stringify({
          charts: [...document.querySelectorAll('figure.chart')].map(f => {
            const s = f.querySelector('svg');
            const r = s ? s.getBoundingClientRect() : { x: 0, y: 0, width: 0, height: 0 };
            const ids = s ? (s.getAttribute('aria-labelledby') || '').split(' ') : [];
            return { kind: f.dataset.chart, role: s ? s.getAttribute('role') : null,
                     title: ids[0] && document.getElementById(ids[0]) ? document.getElementById(ids[0]).textContent : null,
                     desc: ids[1] && document.getElementById(ids[1]) ? document.getElementById(ids[1]).textContent : null,
                     x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height,
                     drawn: s ? s.querySelectorAll('path,polyline,polygon,rect,ellipse,line').length : 0 };
          }),
          tables: [...document.querySelectorAll('table[data-table]')].map(t => t.dataset.table),
          scripts: document.scripts.length,
          status: document.querySelector('[data-status]') ? document.querySelector('[data-status]').dataset.status : null,
          text: document.body.innerText
        })
        """;
}
