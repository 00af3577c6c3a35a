using System.Net.Http.Headers;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// Requests through .NET's <see cref="HttpClient"/>: TLS, HTTP/2 by ALPN. The transport for targets configured with
/// <c>http_client: httpclient</c> and for URLs the HTTP/1.1 client does not take.
/// </summary>
internal sealed class HttpClientTransport : ITargetTransport, IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _owned;

    /// <summary>Sends through <paramref name="http"/> (not owned), whose <see cref="HttpClient.Timeout"/> should be infinite.</summary>
    public HttpClientTransport(HttpClient http)
        : this(http, owned: false)
    {
    }

    /// <param name="http">The client, whose <see cref="HttpClient.Timeout"/> should be infinite.</param>
    /// <param name="owned">Dispose <paramref name="http"/> with this.</param>
    internal HttpClientTransport(HttpClient http, bool owned)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        _owned = owned;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_owned)
        {
            _http.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask<TargetResponse> SendAsync(CompletionRequest request, TargetRequestKind kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var message = kind == TargetRequestKind.Completion ? request.ToHttpRequest() : request.ToRequiredModelsRequest();
        HttpResponseMessage? response = null;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            // The request lives as long as its response: over HTTP/2 its body may still be sending when the headers arrive.
            return new Response(message, response, body);
        }
        catch (Exception ex)
        {
            response?.Dispose();
            message.Dispose();

            // The handler's connect timeout ends the send as a cancellation the caller did not ask for.
            if (ex is OperationCanceledException { InnerException: TimeoutException } && !cancellationToken.IsCancellationRequested)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, $"no connection within the connect timeout ({request.Endpoint.Host}:{request.Endpoint.Port})", ex);
            }

            throw;
        }
    }

    private sealed class Response(HttpRequestMessage request, HttpResponseMessage response, Stream body) : TargetResponse
    {
        public override int StatusCode => (int)response.StatusCode;

        public override string? MediaType => response.Content.Headers.ContentType?.MediaType;

        public override RetryConditionHeaderValue? RetryAfter => response.Headers.RetryAfter;

        public override string? Location => response.Headers.Location?.OriginalString;

        public override string? ContentEncoding =>
            response.Content.Headers.ContentEncoding.FirstOrDefault(e => !e.Equals("identity", StringComparison.OrdinalIgnoreCase));

        public override Stream Body => body;

        public override async ValueTask DisposeAsync()
        {
            await body.DisposeAsync().ConfigureAwait(false);
            response.Dispose();
            request.Dispose();
        }
    }
}
