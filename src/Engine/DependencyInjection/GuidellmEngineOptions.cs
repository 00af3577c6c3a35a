namespace GuidellmFunctions.Engine.DependencyInjection;

/// <summary>Host-supplied engine settings.</summary>
public sealed class GuidellmEngineOptions
{
    /// <summary>
    /// The YAML config (<c>GUIDELLM_CONFIG</c>): a file path or a blob URL. Required by the hosts that read it through
    /// <see cref="Configuration.ConfigSource"/> (timer, queue trigger, worker): validation fails without it.
    /// </summary>
    public string? ConfigPath { get; set; }

    /// <summary>Storage connection (<c>AzureWebJobsStorage</c>): reads a config blob URL in its account, and holds the run queue.</summary>
    public string? StorageConnection { get; set; }

    /// <summary>Environment the host runs by default (<c>GUIDELLM_ENVIRONMENT</c>); must exist in the config when set.</summary>
    public string? Environment { get; set; }

    /// <summary>
    /// Queue service URL for an identity-based storage connection (<c>AzureWebJobsStorage__queueServiceUri</c>, or from
    /// <c>AzureWebJobsStorage__accountName</c>), used with DefaultAzureCredential when there is no connection string.
    /// </summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary>The on-demand run queue (<c>GUIDELLM_QUEUE</c>); its poison queue is <c>&lt;queue&gt;-poison</c>.</summary>
    public string Queue { get; set; } = Runs.RunQueue.DefaultName;

    /// <summary>Directory for local reports and staging files.</summary>
    public string OutputDirectory { get; set; } = "guidellm-output";
}
