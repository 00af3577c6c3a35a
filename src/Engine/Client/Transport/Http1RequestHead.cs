using System.Text;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>Writes an HTTP/1.1 request head: request line, the client's headers, the target's headers.</summary>
internal static class Http1RequestHead
{
    private static readonly Dictionary<string, Secret> NoHeaders = [];

    /// <summary>An upper bound of the head's length in bytes.</summary>
    public static int MaxLength(CompletionRequest request, Http1Endpoint endpoint)
    {
        var length = 256 + endpoint.Target.Length + endpoint.HostHeader.Length + Encoding.UTF8.GetMaxByteCount(request.RequestId.Length)
            + (endpoint.ProxyAuthorization?.Length ?? 0);
        if (request.ApiKey is { IsEmpty: false } key)
        {
            length += Encoding.UTF8.GetMaxByteCount(key.Reveal().Length + (request.ApiKeyHeader?.Length ?? 0)) + 32;
        }

        foreach (var (name, value) in request.Headers ?? NoHeaders)
        {
            length += Encoding.UTF8.GetMaxByteCount(name.Length + value.Reveal().Length) + 4;
        }

        return length;
    }

    /// <summary>Writes the head into <paramref name="destination"/> (at least <see cref="MaxLength"/> long) and returns its length.</summary>
    /// <exception cref="HttpRequestException">A configured header cannot be sent (a line break, or one the client owns).</exception>
    public static int Write(Span<byte> destination, CompletionRequest request, Http1Endpoint endpoint, bool post, int contentLength)
    {
        var w = new Writer(destination);
        w.Append(post ? "POST "u8 : "GET "u8);
        w.Append(endpoint.Target);
        w.Append(" HTTP/1.1\r\n"u8);
        var headers = request.Headers ?? NoHeaders;
        if (!Has(headers, "Host"))
        {
            w.Header("Host"u8, endpoint.HostHeader);
        }

        if (!Has(headers, "User-Agent"))
        {
            w.Header("User-Agent"u8, RunnerUserAgent.Utf8);
        }

        if (!Has(headers, "Accept"))
        {
            w.Append("Accept: text/event-stream\r\n"u8);
        }

        if (endpoint.ProxyAuthorization is { } proxyAuthorization && !endpoint.Tunnel)
        {
            w.Append("Proxy-Authorization: "u8);
            w.Value(proxyAuthorization, "Proxy-Authorization");
            w.Append("\r\n"u8);
        }

        w.Append("X-Request-Id: "u8);
        w.Value(request.RequestId, "X-Request-Id");
        w.Append("\r\n"u8);
        if (request.ApiKey is { IsEmpty: false } key)
        {
            if (request.ApiKeyHeader is null)
            {
                w.Append("Authorization: Bearer "u8);
                w.Value(key.Reveal(), "Authorization");
                w.Append("\r\n"u8);
            }
            else
            {
                w.Header(request.ApiKeyHeader, key.Reveal());
            }
        }

        foreach (var (name, value) in headers)
        {
            if (IsFraming(name))
            {
                throw new HttpRequestException(HttpRequestError.Unknown, $"header '{name}' is set by the HTTP client and cannot be configured");
            }

            w.Header(name, value.Reveal());
        }

        if (post)
        {
            if (!Has(headers, "Content-Type"))
            {
                w.Append("Content-Type: application/json\r\n"u8);
            }

            w.Append("Content-Length: "u8);
            w.Number(contentLength);
            w.Append("\r\n"u8);
        }

        w.Append("\r\n"u8);
        return w.Length;
    }

    private static bool Has(IReadOnlyDictionary<string, Secret> headers, string name)
    {
        if (headers.Count == 0)
        {
            return false;
        }

        foreach (var key in headers.Keys)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsFraming(string name) =>
        name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Connection", StringComparison.OrdinalIgnoreCase);

    private ref struct Writer(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;

        public int Length { get; private set; }

        public void Append(scoped ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_destination[Length..]);
            Length += bytes.Length;
        }

        public void Header(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> value)
        {
            Append(name);
            Append(": "u8);
            Append(value);
            Append("\r\n"u8);
        }

        public void Header(string name, string value)
        {
            if (name.Length == 0 || name.AsSpan().ContainsAny(" \t\r\n:\0"))
            {
                throw new HttpRequestException(HttpRequestError.Unknown, $"header name '{name}' is not a valid HTTP token");
            }

            Length += Encoding.ASCII.GetBytes(name, _destination[Length..]);
            Append(": "u8);
            Value(value, name);
            Append("\r\n"u8);
        }

        // The value is never quoted in the error: it may be a key.
        public void Value(string value, string name)
        {
            if (value.AsSpan().ContainsAny("\r\n\0"))
            {
                throw new HttpRequestException(HttpRequestError.Unknown, $"the value of header '{name}' contains a line break or NUL");
            }

            Length += Encoding.UTF8.GetBytes(value, _destination[Length..]);
        }

        public void Number(int value)
        {
            value.TryFormat(_destination[Length..], out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            Length += written;
        }
    }
}
