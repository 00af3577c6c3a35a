namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// The Go runner's <c>discovery:</c> section, unchanged: when enabled, every run lists the models each environment's
/// router serves and load-tests one target per model beside the listed ones.
/// </summary>
public sealed record DiscoveryConfig
{
    /// <summary><c>discovery.enabled</c>: false keeps the section without acting on it.</summary>
    public bool Enabled { get; init; }

    /// <summary><c>discovery.environments</c>: one router per environment, in config order.</summary>
    public IReadOnlyList<DiscoveryEnvironment> Environments { get; init; } = [];
}
