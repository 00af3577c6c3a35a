using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Client;

/// <summary>One request ready to send: endpoint, serialized body and credentials.</summary>
/// <param name="Endpoint">Full URL of the completions endpoint.</param>
/// <param name="Body">UTF-8 JSON body.</param>
/// <param name="RequestId">Sent as <c>X-Request-Id</c> so server logs and the simulator's ground truth can be matched.</param>
/// <param name="ApiKey">Key sent as Bearer token (or in <paramref name="ApiKeyHeader"/>); null for none.</param>
/// <param name="ApiKeyHeader">Header for the key without scheme (Azure's <c>api-key</c>); null for <c>Authorization: Bearer</c>.</param>
/// <param name="Headers">Extra headers.</param>
internal sealed record CompletionRequest(
    Uri Endpoint,
    ReadOnlyMemory<byte> Body,
    string RequestId,
    Secret? ApiKey = null,
    string? ApiKeyHeader = null,
    IReadOnlyDictionary<string, Secret>? Headers = null)
{
    private static readonly Dictionary<string, Secret> EmptyHeaders = [];

    /// <summary>
    /// Keep the answer's text (<see cref="RequestResult.Answer"/>): set on a conversation's turns that a later turn follows,
    /// which send it back; single requests never pay for the text.
    /// </summary>
    public bool CaptureAnswer { get; init; }

    /// <summary>Builds the HTTP message; the caller disposes it.</summary>
    public HttpRequestMessage ToHttpRequest()
    {
        var message = new HttpRequestMessage(HttpMethod.Post, Endpoint)
        {
            Content = new ReadOnlyMemoryContent(Body),
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
        message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        message.Headers.TryAddWithoutValidation("Accept", "text/event-stream");
        AddHeaders(message);
        return message;
    }

    /// <summary>A GET of <see cref="ModelsEndpoint"/> with the same credentials, or null when there is none.</summary>
    public HttpRequestMessage? ToModelsRequest() => ModelsEndpoint is { } models ? ModelsRequest(models) : null;

    /// <summary>A GET of <see cref="RequiredModelsEndpoint"/> with the same credentials.</summary>
    internal HttpRequestMessage ToRequiredModelsRequest() => ModelsRequest(RequiredModelsEndpoint);

    private HttpRequestMessage ModelsRequest(Uri models)
    {
        var message = new HttpRequestMessage(HttpMethod.Get, models) { Version = System.Net.HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher };
        AddHeaders(message);
        return message;
    }

    /// <summary>
    /// The server's model list beside <see cref="Endpoint"/> (<c>…/v1/models</c>, query kept), or null when the endpoint is
    /// not an OpenAI-style completions path.
    /// </summary>
    public Uri? ModelsEndpoint
    {
        get
        {
            var path = Endpoint.AbsolutePath;
            var suffix = path.EndsWith("/chat/completions", StringComparison.Ordinal) ? "/chat/completions"
                : path.EndsWith("/completions", StringComparison.Ordinal) ? "/completions"
                : null;
            return suffix is null ? null : new UriBuilder(Endpoint) { Path = path[..^suffix.Length] + "/models" }.Uri;
        }
    }

    /// <summary><see cref="ModelsEndpoint"/>, for a transport asked to send the models request.</summary>
    /// <exception cref="InvalidOperationException">The endpoint is not an OpenAI-style completions path.</exception>
    internal Uri RequiredModelsEndpoint =>
        ModelsEndpoint ?? throw new InvalidOperationException($"{Endpoint.AbsolutePath} is not an OpenAI-style completions path");

    private void AddHeaders(HttpRequestMessage message)
    {
        message.Headers.TryAddWithoutValidation("X-Request-Id", RequestId);
        if (ApiKey is { IsEmpty: false })
        {
            if (ApiKeyHeader is null)
            {
                message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiKey.Reveal());
            }
            else
            {
                message.Headers.TryAddWithoutValidation(ApiKeyHeader, ApiKey.Reveal());
            }
        }

        foreach (var (name, value) in Headers ?? EmptyHeaders)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value.Reveal()))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value.Reveal());
            }
        }
    }
}
