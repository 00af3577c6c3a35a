namespace GuidellmFunctions.Engine.Configuration;

/// <summary>A target with its effective settings, ready to run.</summary>
/// <param name="Environment">Environment name.</param>
/// <param name="Target">The target as configured.</param>
/// <param name="Settings">Defaults, target values and overrides merged.</param>
public sealed record ResolvedTarget(string Environment, TargetConfig Target, BenchmarkSettings Settings)
{
    /// <summary>The endpoint requests are sent to.</summary>
    public Uri Endpoint => Target.ResolveEndpoint(Settings.RequestType);

    /// <summary>The shard of a sharded run this target runs (its <see cref="Settings"/> are the shard's share); null when not sharded.</summary>
    internal Shards.ShardAssignment? Shard { get; init; }

    /// <summary>The Entra ID token source of an <c>auth: azure_ad</c> target, once its first token is got; null otherwise.</summary>
    internal Client.AzureAdTokenSource? Tokens { get; init; }

    /// <summary>The credential requests carry: the current Entra ID token when there is one, else the configured API key.</summary>
    internal Secret? Credential => Tokens?.Current ?? Target.ApiKey;

    /// <summary>The header of <see cref="Credential"/>: null (Bearer) for a token, else the configured <c>api_key_header</c>.</summary>
    internal string? CredentialHeader => Tokens is null ? Target.ApiKeyHeader : null;
}
