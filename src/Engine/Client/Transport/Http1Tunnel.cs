using System.Text;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// Opens a <c>CONNECT</c> tunnel to an <c>https</c> target through its proxy on a freshly connected socket (RFC 9110
/// §9.3.6): the TLS session then runs inside it, end to end with the target.
/// </summary>
internal static class Http1Tunnel
{
    private const int MaxHead = 16 * 1024;

    /// <summary>Asks the proxy for the tunnel and reads its answer; returns once the tunnel is open.</summary>
    /// <exception cref="HttpRequestException">The proxy refused or broke the tunnel (<see cref="HttpRequestError.ProxyTunnelError"/>).</exception>
    public static async ValueTask OpenAsync(StampedSocketStream socket, Http1Endpoint endpoint, CancellationToken cancellationToken)
    {
        var request = new StringBuilder($"CONNECT {endpoint.Authority} HTTP/1.1\r\nHost: {endpoint.Authority}\r\nUser-Agent: {RunnerUserAgent.Value}\r\n");
        if (endpoint.ProxyAuthorization is { } authorization)
        {
            request.Append("Proxy-Authorization: ").Append(authorization).Append("\r\n");
        }

        // The socket's reads ignore tokens (see StampedSocketStream): cancelling closes the socket, which ends them.
        await using var abort = cancellationToken.UnsafeRegister(static s => ((StampedSocketStream)s!).Abort(), socket).ConfigureAwait(false);
        var buffer = new byte[MaxHead];
        var length = 0;
        try
        {
            await socket.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()), CancellationToken.None).ConfigureAwait(false);
            int end;
            while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (length == buffer.Length)
                {
                    throw Refused(endpoint, $"an answer longer than {MaxHead / 1024} KiB");
                }

                var read = await socket.ReadAsync(buffer.AsMemory(length), CancellationToken.None).ConfigureAwait(false);
                if (read == 0)
                {
                    throw Refused(endpoint, "the proxy closed the connection before answering");
                }

                length += read;
            }

            var head = Http1ResponseHead.Parse(buffer.AsSpan(0, end));
            if (head.StatusCode is < 200 or >= 300)
            {
                var line = buffer.AsSpan(0, buffer.AsSpan(0, end).IndexOf("\r\n"u8) is var eol and >= 0 ? eol : end);
                throw Refused(endpoint, $"'{Http1ResponseHead.Printable(line)}'" + (head.StatusCode == 407 ? ": it asks for credentials (user:password in the proxy's URL)" : string.Empty));
            }

            if (length > end + 4)
            {
                throw Refused(endpoint, "the proxy sent bytes before the TLS handshake began");
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException
            || ex is HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse })
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw Refused(endpoint, ex.Message, ex);
        }
    }

    private static HttpRequestException Refused(Http1Endpoint endpoint, string why, Exception? inner = null) =>
        new(HttpRequestError.ProxyTunnelError, $"no tunnel to {endpoint.Authority} through the proxy {endpoint.Proxy!.Host}:{endpoint.Proxy.Port}: {why}", inner);
}
