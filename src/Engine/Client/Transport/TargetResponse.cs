using System.Net.Http.Headers;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>A response whose headers have arrived; dispose it to release (or reuse) its connection.</summary>
internal abstract class TargetResponse : IAsyncDisposable
{
    /// <summary>The HTTP status code.</summary>
    public abstract int StatusCode { get; }

    /// <summary>The media type of <c>Content-Type</c> without parameters, or null.</summary>
    public abstract string? MediaType { get; }

    /// <summary>The parsed <c>Retry-After</c> header, or null.</summary>
    public abstract RetryConditionHeaderValue? RetryAfter { get; }

    /// <summary>The <c>Location</c> header (where a redirect points), or null.</summary>
    public virtual string? Location => null;

    /// <summary>The <c>Content-Encoding</c> of the body (<c>gzip</c>, ...), or null when it is sent as is.</summary>
    public virtual string? ContentEncoding => null;

    /// <summary>
    /// How long opening the connection this request went out on took (TCP connect, a proxy's tunnel, the TLS handshake),
    /// when the request opened it; zero on a connection opened before (kept alive, or pre-opened).
    /// </summary>
    public virtual TimeSpan ConnectTime => TimeSpan.Zero;

    /// <summary>The body, decoded from its transfer encoding. Valid until the response is disposed.</summary>
    public abstract Stream Body { get; }

    /// <summary>Whether the status is 2xx.</summary>
    public bool IsSuccessStatusCode => StatusCode is >= 200 and < 300;

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();
}
