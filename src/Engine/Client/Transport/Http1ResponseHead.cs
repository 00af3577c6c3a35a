using System.Buffers.Text;
using System.Text;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>A parsed HTTP/1.1 status line and the headers the client acts on.</summary>
internal readonly record struct Http1ResponseHead(int StatusCode, Http1BodyFraming Framing, long ContentLength, bool KeepAlive, string? MediaType, string? RetryAfter)
{
    /// <summary>The <c>Location</c> header, or null.</summary>
    public string? Location { get; init; }

    /// <summary>The <c>Content-Encoding</c> header unless it is <c>identity</c>, or null.</summary>
    public string? ContentEncoding { get; init; }

    /// <summary>The longest response head accepted.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>Whether <paramref name="received"/>, the first bytes of a response, can still begin a status line.</summary>
    public static bool CanStartStatusLine(ReadOnlySpan<byte> received)
    {
        var prefix = "HTTP/1."u8;
        var n = Math.Min(received.Length, prefix.Length);
        return received[..n].SequenceEqual(prefix[..n]);
    }

    /// <summary>Parses <paramref name="head"/>: status line and header lines, without the final empty line.</summary>
    /// <exception cref="HttpRequestException">Not a valid HTTP/1.x response head (<see cref="HttpRequestError.InvalidResponse"/>).</exception>
    public static Http1ResponseHead Parse(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || !char.IsAsciiDigit((char)statusLine[7]) || statusLine[8] != ' '
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out var consumed) || consumed != 3 || status < 100
            || (statusLine.Length > 12 && statusLine[12] != ' '))
        {
            throw Invalid($"invalid status line '{Printable(statusLine)}'");
        }

        var http10 = statusLine[7] == '0';
        long contentLength = -1;
        var chunked = false;
        var otherCoding = false;
        var close = false;
        var keepAliveToken = false;
        string? mediaType = null;
        string? retryAfter = null;
        string? location = null;
        string? contentEncoding = null;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[0] is (byte)' ' or (byte)'\t' || line[colon - 1] is (byte)' ' or (byte)'\t')
            {
                throw Invalid($"invalid header line '{Printable(line)}'");
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long length, out var used) || used != value.Length || length < 0 || (contentLength >= 0 && length != contentLength))
                {
                    throw Invalid($"invalid Content-Length '{Printable(value)}'");
                }

                contentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                var last = value[(value.LastIndexOf((byte)',') + 1)..].Trim(" \t"u8);
                chunked = Ascii.EqualsIgnoreCase(last, "chunked"u8);
                otherCoding = !chunked;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                close |= HasToken(value, "close"u8);
                keepAliveToken |= HasToken(value, "keep-alive"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Type"u8))
            {
                var semicolon = value.IndexOf((byte)';');
                mediaType = MediaTypeString((semicolon < 0 ? value : value[..semicolon]).Trim(" \t"u8));
            }
            else if (Ascii.EqualsIgnoreCase(name, "Retry-After"u8))
            {
                retryAfter = Encoding.Latin1.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Location"u8))
            {
                location = Encoding.Latin1.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Encoding"u8) && !value.IsEmpty && !Ascii.EqualsIgnoreCase(value, "identity"u8))
            {
                contentEncoding = Printable(value);
            }
        }

        var keepAlive = !close && (!http10 || keepAliveToken);
        Http1ResponseHead parsed = status is < 200 or 204 or 304 ? new(status, Http1BodyFraming.Length, 0, keepAlive, mediaType, retryAfter)
            : chunked ? new(status, Http1BodyFraming.Chunked, -1, keepAlive, mediaType, retryAfter)
            : contentLength >= 0 && !otherCoding ? new(status, Http1BodyFraming.Length, contentLength, keepAlive, mediaType, retryAfter)
            : new(status, Http1BodyFraming.UntilClose, -1, false, mediaType, retryAfter);
        return location is null && contentEncoding is null ? parsed : parsed with { Location = location, ContentEncoding = contentEncoding };
    }

    /// <summary>Up to 80 characters of <paramref name="bytes"/> with anything unprintable shown as '?'.</summary>
    public static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = bytes[..Math.Min(bytes.Length, 80)];
        return string.Create(text.Length, text.ToArray(), static (chars, b) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = b[i] is >= 0x20 and < 0x7F ? (char)b[i] : '?';
            }
        }) + (bytes.Length > 80 ? "…" : string.Empty);
    }

    private static HttpRequestException Invalid(string message) => new(HttpRequestError.InvalidResponse, message);

    private static bool HasToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }

    // The two types every response has are shared strings, so a response head allocates nothing in the common case.
    private static string MediaTypeString(ReadOnlySpan<byte> value) =>
        Ascii.EqualsIgnoreCase(value, "text/event-stream"u8) ? "text/event-stream"
        : Ascii.EqualsIgnoreCase(value, "application/json"u8) ? "application/json"
        : Encoding.Latin1.GetString(value);
}
