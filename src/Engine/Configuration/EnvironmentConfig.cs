namespace GuidellmFunctions.Engine.Configuration;

/// <summary>A named environment (development, staging, ...) and its targets.</summary>
/// <param name="Name">Environment name; the <c>environment</c> label.</param>
/// <param name="Targets">Targets in config order.</param>
public sealed record EnvironmentConfig(string Name, IReadOnlyList<TargetConfig> Targets);
