using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// A TCP server on a free loopback port (optionally TLS) that reads each HTTP request and then answers with whatever
/// bytes a script writes: what a well-behaved server (the simulator, Kestrel) cannot be made to do.
/// </summary>
public sealed class RawSocketServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<string, Stream, CancellationToken, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly bool _readsRequests;
    private readonly X509Certificate2? _certificate;
    private int _connections;

    private RawSocketServer(Func<string, Stream, CancellationToken, Task> script, bool readsRequests = true, X509Certificate2? certificate = null)
    {
        _script = script;
        _readsRequests = readsRequests;
        _certificate = certificate;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri V1 => new($"{(_certificate is null ? "http" : "https")}://127.0.0.1:{Port}/v1");

    /// <summary>The application protocol each TLS connection agreed on (ALPN), in the order they were made.</summary>
    public ConcurrentQueue<SslApplicationProtocol> Negotiated { get; } = new();

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

    /// <summary>
    /// Starts a TLS server presenting <paramref name="certificate"/> (offering HTTP/2 and HTTP/1.1 by ALPN) that runs
    /// <paramref name="script"/> after reading each request.
    /// </summary>
    public static RawSocketServer StartTls(X509Certificate2 certificate, Func<Stream, CancellationToken, Task> script) =>
        new((_, stream, token) => script(stream, token), certificate: certificate);

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
            Stream stream = client.GetStream();
            try
            {
                if (_certificate is not null)
                {
                    var tls = new SslStream(stream);
                    stream = tls;
                    await tls.AuthenticateAsServerAsync(
                        new SslServerAuthenticationOptions { ServerCertificate = _certificate, ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11] },
                        _stop.Token);
                    Negotiated.Enqueue(tls.NegotiatedApplicationProtocol);
                }

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
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException or System.Security.Authentication.AuthenticationException)
            {
                // The client went away or refused the certificate, the script closed the connection, or the server stopped.
            }
            finally
            {
                await stream.DisposeAsync();
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
