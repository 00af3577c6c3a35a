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
}
