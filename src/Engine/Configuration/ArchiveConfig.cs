namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Where run reports are archived (<c>archive:</c>): a connection string, or an account URL with managed identity.</summary>
public sealed record ArchiveConfig
{
    /// <summary>Storage connection string (<c>UseDevelopmentStorage=true</c> for Azurite); a secret.</summary>
    public Secret? Connection { get; init; }

    /// <summary>Blob service URL (<c>https://ACCOUNT.blob.core.windows.net</c>), used with DefaultAzureCredential.</summary>
    public Uri? AccountUrl { get; init; }

    /// <summary>Container of the reports.</summary>
    public string Container { get; init; } = "guidellm-reports";
}
