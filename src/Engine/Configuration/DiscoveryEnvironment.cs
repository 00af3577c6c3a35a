namespace GuidellmFunctions.Engine.Configuration;

/// <summary>One environment of <c>discovery.environments</c>: where its models are listed and where they are served.</summary>
public sealed record DiscoveryEnvironment
{
    /// <summary>Environment name; discovered targets join the listed targets of the environment of this name.</summary>
    public required string Name { get; init; }

    /// <summary><c>endpoint</c>: the model list (<c>…/v1/models</c>).</summary>
    public required Uri Endpoint { get; init; }

    /// <summary><c>base_url</c>: the URL of every discovered target; the endpoint's <c>/v1</c> when absent.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary><c>api_key</c>: sent to the model list and by every discovered target; null when none.</summary>
    public Secret? ApiKey { get; init; }

    /// <summary>Line of the environment in its config file (0 when not from a file).</summary>
    public int SourceLine { get; init; }

    /// <summary>The URL discovered targets send to: <see cref="BaseUrl"/>, or the endpoint without its <c>/models</c>.</summary>
    public Uri TargetUrl
    {
        get
        {
            if (BaseUrl is { } url)
            {
                return url;
            }

            var path = Endpoint.AbsolutePath.TrimEnd('/');
            var builder = new UriBuilder(Endpoint) { Path = path.EndsWith("/models", StringComparison.OrdinalIgnoreCase) ? path[..^"/models".Length] : path };
            return builder.Uri;
        }
    }
}
