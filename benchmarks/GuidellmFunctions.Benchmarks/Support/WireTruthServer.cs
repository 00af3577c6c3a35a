using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Simulator.Serving;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>
/// A streaming chat-completions server whose ground truth is taken at the wire, for the accuracy scenario: a request
/// arrives when the kernel received its bytes (<c>SO_TIMESTAMPNS</c>, the same clock the runner's chunks are stamped
/// with), and a chunk leaves when the server calls <c>send</c> for it (stamped just before the call). The simulator's
/// ground truth starts when Kestrel hands it the request and stops when its flush returns, so its TTFT leaves out the
/// server's own wake-up, parsing and writing, and a client's error against it carries all of those; against this one a
/// client's error is only the client's stamps, its send, and the loopback. Speaks just what the scenario sends:
/// HTTP/1.1 keep-alive, <c>POST /v1/chat/completions</c> answered with SSE in chunked encoding as the simulator does,
/// <c>GET /v1/models</c>, <c>GET /health</c> and <c>GET /debug/ground-truth</c> (one JSON record per line).
/// </summary>
internal sealed class WireTruthServer : IAsyncDisposable
{
    /// <summary>The outcome of a request whose arrival the kernel did not stamp, so the read's time stands in for it.</summary>
    public const string UnstampedOutcome = "ok, arrival stamped at the read";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly byte[] StreamHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray();
    private static readonly string[] Words = [" the", " model", " answers", " with", " tokens", " that", " arrive", " one", " by", " one"];

    private readonly Socket _listener;
    private readonly double _ttftMs;
    private readonly double _itlMs;
    private readonly int _outputTokens;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, GroundTruthRecord> _truth = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private readonly Task _accepting;
    private readonly PriorityQueue<WireStream, long> _due = new();
    private readonly Thread _sender;

    private WireTruthServer(double ttftMs, double itlMs, int outputTokens)
    {
        _ttftMs = ttftMs;
        _itlMs = itlMs;
        _outputTokens = outputTokens;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        // On the listener too: it keeps the kernel stamping from the start, so a request that lands before its connection
        // is accepted is stamped as well (an accepted socket inherits the option).
        KernelReceive.Enable(_listener);
        _listener.Listen(4096);
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/");
        _accepting = AcceptAsync();
        _sender = new Thread(SendDueChunks) { IsBackground = true, Name = "wire sender" };
        _sender.Start();
    }

    public Uri BaseAddress { get; }

    /// <summary>
    /// Starts listening on the loopback. The first content chunk is due <paramref name="ttftMs"/> after the request's
    /// arrival, the others <paramref name="itlMs"/> apart; when each really left is what the ground truth records.
    /// </summary>
    public static WireTruthServer Start(double ttftMs, double itlMs, int outputTokens)
    {
        if (!KernelReceive.Supported)
        {
            throw new PlatformNotSupportedException("the wire-level ground truth needs kernel receive timestamps (Linux x64/Arm64)");
        }

        return new WireTruthServer(ttftMs, itlMs, outputTokens);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        foreach (var socket in _connections.Keys)
        {
            socket.Dispose();
        }

        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _sender.Join();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            socket.NoDelay = true;
            socket.Blocking = false;
            KernelReceive.Enable(socket);
            _connections[socket] = 0;
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        var stamped = new StampedSocketStream(socket) { Stamp = true };
        try
        {
            var have = 0;
            while (true)
            {
                long arrival = 0;
                var arrivalAtRead = false;
                string? head;
                int length;
                while (!TryFrame(buffer.AsSpan(0, have), out head, out length))
                {
                    if (have == buffer.Length)
                    {
                        // The scenario's requests are under a kilobyte: anything this long is not one of them.
                        return;
                    }

                    // Disposing the server closes the socket, which ends this read.
                    var read = await stamped.ReadAsync(buffer.AsMemory(have)).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    if (have == 0)
                    {
                        // Without the kernel's stamp, the read's time: later than the arrival, so the server's TTFT comes
                        // out shorter and the client's error larger, never smaller.
                        arrivalAtRead = stamped.LastArrival == 0;
                        arrival = arrivalAtRead ? Stopwatch.GetTimestamp() : stamped.LastArrival;
                    }

                    have += read;
                }

                if (arrival == 0)
                {
                    // Pipelined behind the previous request (no client here does that): it arrived no later than now.
                    (arrival, arrivalAtRead) = (Stopwatch.GetTimestamp(), true);
                }

                var includeUsage = buffer.AsSpan(head.Length + 4, length - head.Length - 4).IndexOf("\"include_usage\":true"u8) >= 0;
                buffer.AsSpan(length, have - length).CopyTo(buffer);
                have -= length;
                await AnswerAsync(socket, head, new Arrival(arrival, arrivalAtRead), includeUsage).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            _connections.TryRemove(socket, out _);
            socket.Dispose();
        }
    }

    private async Task AnswerAsync(Socket socket, string head, Arrival arrival, bool includeUsage)
    {
        var line = head[..head.IndexOf('\r', StringComparison.Ordinal)];
        var path = line.Split(' ') is [_, var p, ..] ? p : string.Empty;
        if (line.StartsWith("POST ", StringComparison.Ordinal) && path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            await StreamAsync(socket, Header(head, "X-Request-Id") ?? $"wire-{arrival.Timestamp}", arrival, includeUsage).ConfigureAwait(false);
            return;
        }

        var (status, content) = path switch
        {
            "/v1/models" => ("200 OK", $$"""{"object":"list","data":[{"id":"{{Burst.Model}}","object":"model","owned_by":"wire"}]}"""),
            "/health" => ("200 OK", string.Empty),
            "/debug/ground-truth" => ("200 OK", string.Concat(_truth.Values.Select(r => JsonSerializer.Serialize(r, Json) + "\n"))),
            _ => ("404 Not Found", string.Empty),
        };
        var bytes = Encoding.UTF8.GetBytes(content);
        // The ground truth runs to megabytes: more than a non-blocking send takes at once.
        await socket.SendAsync((byte[])[.. Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\n\r\n"), .. bytes], SocketFlags.None).ConfigureAwait(false);
    }

    private Task StreamAsync(Socket socket, string requestId, Arrival arrival, bool includeUsage)
    {
        var stream = new WireStream(socket, requestId, arrival.Timestamp, includeUsage, arrival.AtRead);
        SendWhole(socket, [.. StreamHead, .. Event(Chunk(stream.Id, "\"role\":\"assistant\",\"content\":\"\"", "null"))]);
        lock (_due)
        {
            _due.Enqueue(stream, arrival.Timestamp + Ticks(_ttftMs));
        }

        return stream.Done.Task;
    }

    /// <summary>
    /// Sends every stream's chunks when due, from one thread: no timer or thread-pool hop per chunk, so the server takes
    /// as little of the machine as it can (the runner measured shares it); each chunk is stamped just before its send.
    /// </summary>
    private void SendDueChunks()
    {
        var ready = new List<WireStream>();
        while (!_stop.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            lock (_due)
            {
                while (_due.TryPeek(out var stream, out var due) && due <= now)
                {
                    ready.Add(_due.Dequeue());
                }
            }

            foreach (var stream in ready)
            {
                if (SendNext(stream))
                {
                    lock (_due)
                    {
                        _due.Enqueue(stream, stream.Arrival + Ticks(_ttftMs + (_itlMs * stream.Sent)));
                    }
                }
            }

            ready.Clear();
            Thread.Sleep(1);
        }
    }

    /// <summary>Sends <paramref name="stream"/>'s next chunk (and its end after the last); false when it is done.</summary>
    private bool SendNext(WireStream stream)
    {
        try
        {
            var chunk = Event(Chunk(stream.Id, $"\"content\":\"{Words[stream.Sent % Words.Length]}\"", "null"));
            var now = Stopwatch.GetTimestamp();
            SendWhole(stream.Socket, chunk);
            stream.First = stream.First == 0 ? now : stream.First;
            stream.Last = now;
            if (++stream.Sent < _outputTokens)
            {
                return true;
            }

            var usage = stream.IncludeUsage
                ? Event($$$"""{"id":"{{{stream.Id}}}","object":"chat.completion.chunk","created":0,"model":"{{{Burst.Model}}}","choices":[],"usage":{"prompt_tokens":16,"completion_tokens":{{{_outputTokens}}},"total_tokens":{{{16 + _outputTokens}}}}}""")
                : [];
            SendWhole(stream.Socket, [.. Event(Chunk(stream.Id, string.Empty, "\"length\"")), .. usage, .. Event("[DONE]"), .. "0\r\n\r\n"u8]);
            var end = Stopwatch.GetTimestamp();
            var ttft = Stopwatch.GetElapsedTime(stream.Arrival, stream.First).TotalMilliseconds;
            var itlMean = _outputTokens > 1 ? Stopwatch.GetElapsedTime(stream.First, stream.Last).TotalMilliseconds / (_outputTokens - 1) : 0;
            _truth[stream.RequestId] = new GroundTruthRecord(stream.RequestId, stream.ArrivalAtRead ? UnstampedOutcome : "ok", 0, ttft, itlMean, Stopwatch.GetElapsedTime(stream.Arrival, end).TotalMilliseconds, 16, _outputTokens, _outputTokens, stream.Arrival, stream.First);
            stream.Done.TrySetResult();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // A client that stopped reading (a full send buffer on a non-blocking socket) or went away.
            stream.Done.TrySetException(ex);
        }

        return false;
    }

    /// <summary>Sends all of <paramref name="bytes"/> at once or fails: only a client that stopped reading fills the buffer.</summary>
    private static void SendWhole(Socket socket, byte[] bytes)
    {
        if (socket.Send(bytes) != bytes.Length)
        {
            throw new SocketException((int)SocketError.NoBufferSpaceAvailable);
        }
    }

    private static string Chunk(string id, string delta, string finish) =>
        $$"""{"id":"{{id}}","object":"chat.completion.chunk","created":0,"model":"{{Burst.Model}}","choices":[{"index":0,"delta":""" + "{" + delta + "}"
        + $$""","logprobs":null,"finish_reason":{{finish}}""" + "}]}";

    /// <summary>One SSE event as one chunk of the chunked body.</summary>
    private static byte[] Event(string data)
    {
        var payload = "data: " + data + "\n\n";
        return Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetByteCount(payload):x}\r\n{payload}\r\n");
    }

    private static long Ticks(double ms) => (long)(ms * Stopwatch.Frequency / 1000);

    /// <summary>Whether <paramref name="received"/> starts with a whole request: its head (as text) and its length with the body.</summary>
    private static bool TryFrame(ReadOnlySpan<byte> received, [NotNullWhen(true)] out string? head, out int length)
    {
        var headEnd = received.IndexOf("\r\n\r\n"u8);
        head = headEnd < 0 ? null : Encoding.ASCII.GetString(received[..headEnd]);
        length = head is null ? 0 : headEnd + 4 + (Header(head, "Content-Length") is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : 0);
        return head is not null && received.Length >= length;
    }

    private static string? Header(string head, string name)
    {
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    /// <summary>When a request arrived; <paramref name="AtRead"/> when the kernel gave no stamp and the read's time stands in.</summary>
    private readonly record struct Arrival(long Timestamp, bool AtRead);

    private sealed class WireStream(Socket socket, string requestId, long arrival, bool includeUsage, bool arrivalAtRead)
    {
        public bool ArrivalAtRead { get; } = arrivalAtRead;

        public Socket Socket { get; } = socket;

        public string RequestId { get; } = requestId;

        public string Id { get; } = "chatcmpl-" + requestId;

        public long Arrival { get; } = arrival;

        public bool IncludeUsage { get; } = includeUsage;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Sent { get; set; }

        public long First { get; set; }

        public long Last { get; set; }
    }
}
