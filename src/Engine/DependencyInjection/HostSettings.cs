using GuidellmFunctions.Engine.Runs;

namespace GuidellmFunctions.Engine.DependencyInjection;

/// <summary>
/// The app settings (environment variables, Functions app settings, <c>local.settings.json</c> values) the hosts read,
/// by name, and how they fill <see cref="GuidellmEngineOptions"/>.
/// </summary>
public static class HostSettings
{
    /// <summary>The YAML config: a file path or a blob URL.</summary>
    public const string Config = "GUIDELLM_CONFIG";

    /// <summary>The environment the timer runs.</summary>
    public const string Environment = "GUIDELLM_ENVIRONMENT";

    /// <summary>The timer's six-field NCRONTAB schedule (read by the Functions host from the trigger's binding).</summary>
    public const string Schedule = "GUIDELLM_SCHEDULE";

    /// <summary>The on-demand run queue.</summary>
    public const string Queue = "GUIDELLM_QUEUE";

    /// <summary>The local directory for reports (without an archive), pending reports, spool and staging files.</summary>
    public const string Output = "GUIDELLM_OUTPUT";

    /// <summary>The storage connection string (queue, and config blobs in its account).</summary>
    public const string Storage = "AzureWebJobsStorage";

    /// <summary>The storage account of an identity-based connection (no connection string).</summary>
    public const string StorageAccountName = "AzureWebJobsStorage__accountName";

    /// <summary>The queue service URL of an identity-based connection.</summary>
    public const string StorageQueueServiceUri = "AzureWebJobsStorage__queueServiceUri";

    /// <summary>
    /// Sets <paramref name="options"/> from the settings <paramref name="setting"/> returns by name (null or empty when
    /// unset); <paramref name="defaultOutput"/> is the output directory when <see cref="Output"/> is unset.
    /// </summary>
    public static void Apply(GuidellmEngineOptions options, Func<string, string?> setting, string defaultOutput)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(setting);
        string? Value(string name) => setting(name) is { Length: > 0 } value ? value : null;
        options.ConfigPath = Value(Config);
        options.Environment = Value(Environment);
        options.StorageConnection = Value(Storage);
        options.QueueServiceUri = IdentityQueueServiceUri(Value);
        options.Queue = Value(Queue) ?? RunQueue.DefaultName;
        options.OutputDirectory = Value(Output) ?? defaultOutput;
    }

    /// <summary>The queue service of an identity-based storage connection (Flex Consumption with a managed identity); null without one.</summary>
    public static Uri? IdentityQueueServiceUri(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        return setting(StorageQueueServiceUri) is { Length: > 0 } uri ? new Uri(uri)
            : setting(StorageAccountName) is { Length: > 0 } account ? new Uri($"https://{account}.queue.core.windows.net")
            : null;
    }
}
