using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// A TCP server on a free loopback port that reads each HTTP request and then answers with whatever bytes a script
/// writes: what a well-behaved server (the simulator, Kestrel) cannot be made to do.
/// </summary>
public sealed class RawSocketServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<string, Stream, CancellationToken, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly bool _readsRequests;
    private int _connections;

    private RawSocketServer(Func<string, Stream, CancellationToken, Task> script, bool readsRequests = true)
    {
        _script = script;
        _readsRequests = readsRequests;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri V1 => new($"http://127.0.0.1:{Port}/v1");

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Starts a server that runs <paramref name="script"/> after reading each request.</summary>
    public static RawSocketServer Start(Func<Stream, CancellationToken, Task> script) => new((_, stream, token) => script(stream, token));

    /// <summary>Starts a server that answers each connection's first request with <paramref name="response"/> and closes it.</summary>
    public static RawSocketServer AnswerAndClose(byte[] response) => Start(async (stream, token) =>
    {
        await stream.WriteAsync(response, token);
        await stream.FlushAsync(token);
        stream.Close();
    });

    /// <summary>Starts a server that runs <paramref name="script"/> as soon as a client connects, reading nothing (a TLS client waits for the server's hello).</summary>
    public static RawSocketServer StartOnConnect(Func<Stream, CancellationToken, Task> script) => new((_, stream, token) => script(stream, token), readsRequests: false);

    /// <summary>Starts a server whose script also sees each request's head (request line and headers).</summary>
    public static RawSocketServer Start(Func<string, Stream, CancellationToken, Task> script) => new(script);

    /// <summary>Response headers of a chunked SSE stream.</summary>
    public static byte[] SseHeaders => "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray();

    /// <summary>One HTTP/1.1 chunk carrying <paramref name="payload"/>.</summary>
    public static byte[] Chunk(ReadOnlySpan<byte> payload)
    {
        var head = Encoding.ASCII.GetBytes($"{payload.Length:X}\r\n");
        return [.. head, .. payload, (byte)'\r', (byte)'\n'];
    }

    /// <summary>An SSE event with a content delta, chunk-encoded.</summary>
    public static byte[] ContentEvent(string text) =>
        Chunk(Encoding.UTF8.GetBytes($"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{text}\"}},\"finish_reason\":null}}]}}\n\n"));

    /// <summary>The end of a well-formed stream: a finish chunk, [DONE] and the last chunk.</summary>
    public static byte[] Done =>
    [
        .. Chunk("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n"u8),
        .. Chunk("data: [DONE]\n\n"u8),
        .. "0\r\n\r\n"u8,
    ];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            try
            {
                if (!_readsRequests)
                {
                    await _script(string.Empty, stream, _stop.Token);
                    return;
                }

                while (!_stop.IsCancellationRequested && await ReadRequestAsync(stream, _stop.Token) is { } head)
                {
                    await _script(head, stream, _stop.Token);
                    await stream.FlushAsync(_stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // The client went away, the script closed the connection, or the server stopped.
            }
        }
    }

    private static async Task<string?> ReadRequestAsync(Stream stream, CancellationToken token)
    {
        var header = new List<byte>();
        var one = new byte[1];
        while (!(header.Count >= 4 && header[^4] == '\r' && header[^3] == '\n' && header[^2] == '\r' && header[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, token) == 0)
            {
                return null;
            }

            header.Add(one[0]);
        }

        var text = Encoding.ASCII.GetString([.. header]);
        var length = text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } line
            ? int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)
            : 0;
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, token);
        return text;
    }
}
