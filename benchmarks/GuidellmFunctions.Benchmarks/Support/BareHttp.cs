using System.Text;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>HTTP/1.1 as the bare-socket clients of the suite speak it: one pre-encoded POST, a chunked answer.</summary>
internal static class BareHttp
{
    /// <summary>A keep-alive POST of <paramref name="body"/> as JSON, with an <c>X-Request-Id</c> when given.</summary>
    public static byte[] Post(Uri endpoint, byte[] body, string? requestId = null)
    {
        var id = requestId is null ? string.Empty : $"X-Request-Id: {requestId}\r\n";
        var head = Encoding.ASCII.GetBytes($"POST {endpoint.PathAndQuery} HTTP/1.1\r\nHost: {endpoint.Authority}\r\nContent-Type: application/json\r\n{id}Content-Length: {body.Length}\r\n\r\n");
        return [.. head, .. body];
    }

    /// <summary>Whether <paramref name="received"/> ends with the zero-length chunk that ends a chunked answer (the simulator's).</summary>
    public static bool EndsResponse(ReadOnlySpan<byte> received) => received.EndsWith("\r\n0\r\n\r\n"u8);
}
