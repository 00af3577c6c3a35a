namespace GuidellmFunctions.Engine.Configuration;

/// <summary>One endpoint to load-test, as configured.</summary>
public sealed record TargetConfig
{
    /// <summary>Target name, unique within its environment; the <c>target</c> label.</summary>
    public required string Name { get; init; }

    /// <summary>The URL as written: a base URL, a <c>/v1</c> URL or a full <c>/chat/completions</c> URL.</summary>
    public required Uri Url { get; init; }

    /// <summary>Model name sent in requests; the <c>model</c> label (must equal vLLM's <c>model_name</c>).</summary>
    public required string Model { get; init; }

    /// <summary>API key sent as <c>Authorization: Bearer</c> (or in <see cref="ApiKeyHeader"/>); null when none.</summary>
    public Secret? ApiKey { get; init; }

    /// <summary>Header carrying the key without a scheme (for example Azure OpenAI's <c>api-key</c>); null for Bearer.</summary>
    public string? ApiKeyHeader { get; init; }

    /// <summary>Extra request headers; values are treated as secrets.</summary>
    public IReadOnlyDictionary<string, Secret> Headers { get; init; } = new Dictionary<string, Secret>();

    /// <summary>Free text from the config, carried into reports.</summary>
    public string? Notes { get; init; }

    /// <summary>The model list (credentials masked) whose <c>discovery:</c> made this target; null for a listed target.</summary>
    public string? DiscoveredFrom { get; init; }

    /// <summary>Settings given on the target itself.</summary>
    public BenchmarkSettingsPatch Settings { get; init; } = new();

    /// <summary>Line of the target in its config file (0 when not from a file).</summary>
    public int SourceLine { get; init; }

    /// <summary>
    /// The endpoint for <paramref name="type"/>: a known API suffix is stripped from <see cref="Url"/>, <c>/v1</c> is added
    /// to a bare host, then the API path is appended; the query string (Azure's api-version) is kept.
    /// </summary>
    public Uri ResolveEndpoint(RequestType type)
    {
        var path = Url.AbsolutePath.TrimEnd('/');
        foreach (var suffix in (string[])["/chat/completions", "/completions"])
        {
            if (path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                path = path[..^suffix.Length];
                break;
            }
        }

        if (path.Length == 0)
        {
            path = "/v1";
        }

        var builder = new UriBuilder(Url)
        {
            Path = path + (type == RequestType.ChatCompletions ? "/chat/completions" : "/completions"),
        };
        return builder.Uri;
    }
}
