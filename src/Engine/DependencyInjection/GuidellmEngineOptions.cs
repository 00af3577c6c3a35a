namespace GuidellmFunctions.Engine.DependencyInjection;

/// <summary>Host-supplied engine settings.</summary>
public sealed class GuidellmEngineOptions
{
    /// <summary>Path of the YAML config (<c>GUIDELLM_CONFIG</c>); required.</summary>
    public string? ConfigPath { get; set; }

    /// <summary>Environment the host runs by default (<c>GUIDELLM_ENVIRONMENT</c>); must exist in the config when set.</summary>
    public string? Environment { get; set; }

    /// <summary>Directory for local reports and staging files.</summary>
    public string OutputDirectory { get; set; } = "guidellm-output";
}
