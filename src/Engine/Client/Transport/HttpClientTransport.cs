using System.Net.Http.Headers;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// Requests through .NET's <see cref="HttpClient"/>: TLS, HTTP/2 by ALPN. The transport for targets configured with
/// <c>http_client: httpclient</c> and for URLs the HTTP/1.1 client does not take.
/// </summary>
internal sealed class HttpClientTransport : ITargetTransport, IDisposable
{
    // As the runner's own client: enough handshakes at once to keep both ends busy, not so many as to overflow a backlog.
    private const int PreopenParallelism = 32;

    private static readonly TimeSpan PreopenRequestTimeout = TimeSpan.FromSeconds(10);

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

    /// <summary>
    /// Pre-open connections when asked (<see cref="PreopenAsync"/>): only for a client built over a pooling
    /// <see cref="SocketsHttpHandler"/> (the transport factory's); another handler (a test's scripted replies) may hold no
    /// connections at all.
    /// </summary>
    internal bool Preopens { get; init; }

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
        var timing = HandlerConnectTiming.Attach(message);
        HttpResponseMessage? response = null;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            // The request lives as long as its response: over HTTP/2 its body may still be sending when the headers arrive.
            return new Response(message, response, body, timing);
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

    /// <inheritdoc />
    public async ValueTask<int> PreopenAsync(CompletionRequest template, int connections, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (!Preopens || template.ModelsEndpoint is null || connections <= 0)
        {
            return 0;
        }

        // The handler keeps no count of its connections: N model-list requests whose responses are all held at once take
        // N connections over HTTP/1.1 (a pooled one first, then new ones), and reading them to their end pools them all.
        var held = new List<(HttpRequestMessage Request, HttpResponseMessage Response)>(connections);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var gate = new SemaphoreSlim(PreopenParallelism);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => HoldOneAsync())).ConfigureAwait(false);
            foreach (var (_, response) in held)
            {
                await response.Content.CopyToAsync(Stream.Null, stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var (request, response) in held)
            {
                response.Dispose();
                request.Dispose();
            }
        }

        return held.Count;

        async Task HoldOneAsync()
        {
            await gate.WaitAsync(stop.Token).ConfigureAwait(false);
            var message = template.ToRequiredModelsRequest();
            try
            {
                stop.Token.ThrowIfCancellationRequested();
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                limit.CancelAfter(PreopenRequestTimeout);
                var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
                lock (held)
                {
                    held.Add((message, response));
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                message.Dispose();

                // One connection refused means the rest would be too: the stage's requests will say why.
                await stop.CancelAsync().ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private sealed class Response(HttpRequestMessage request, HttpResponseMessage response, Stream body, HandlerConnectTiming timing) : TargetResponse
    {
        public override TimeSpan ConnectTime => timing.Elapsed;

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
