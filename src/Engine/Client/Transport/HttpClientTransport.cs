using System.Net.Http.Headers;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// Requests through .NET's <see cref="HttpClient"/>: TLS, HTTP/2 by ALPN. The transport for targets configured with
/// <c>http_client: httpclient</c> and for URLs the HTTP/1.1 client does not take.
/// </summary>
internal sealed class HttpClientTransport : ITargetTransport
{
    private readonly HttpClient _http;

    /// <summary>Sends through <paramref name="http"/> (not owned), whose <see cref="HttpClient.Timeout"/> should be infinite.</summary>
    public HttpClientTransport(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
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
        catch
        {
            response?.Dispose();
            message.Dispose();
            throw;
        }
    }

    private sealed class Response(HttpRequestMessage request, HttpResponseMessage response, Stream body) : TargetResponse
    {
        public override int StatusCode => (int)response.StatusCode;

        public override string? MediaType => response.Content.Headers.ContentType?.MediaType;

        public override RetryConditionHeaderValue? RetryAfter => response.Headers.RetryAfter;

        public override Stream Body => body;

        public override async ValueTask DisposeAsync()
        {
            await body.DisposeAsync().ConfigureAwait(false);
            response.Dispose();
            request.Dispose();
        }
    }
}
