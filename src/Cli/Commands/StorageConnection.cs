using Azure.Identity;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Runs;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>
/// The queue's storage as <c>--connection</c> gives it: a connection string, or a queue service URL
/// (<c>https://ACCOUNT.queue.core.windows.net</c>) reached with DefaultAzureCredential (workload or managed identity).
/// Defaults follow the Functions host: <c>AzureWebJobsStorage</c>, then <c>AzureWebJobsStorage__queueServiceUri</c>,
/// then <c>AzureWebJobsStorage__accountName</c>.
/// </summary>
internal sealed record StorageConnection(string? ConnectionString, Uri? QueueServiceUri)
{
    public static string? FromEnvironment() =>
        Variable(HostSettings.Storage) ?? HostSettings.IdentityQueueServiceUri(Variable)?.ToString();

    /// <summary>Opens datasets as the Functions host does: a blob in the account of <c>AzureWebJobsStorage</c> with its connection string.</summary>
    public static Engine.Data.DatasetOpener Datasets() =>
        new(FromEnvironment() is { } value && Parse(value).ConnectionString is { } connection ? connection : null);

    public static StorageConnection Parse(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? new StorageConnection(null, uri)
            : new StorageConnection(value, null);

    public RunQueue Open(string? queue) =>
        ConnectionString is { } connection ? new RunQueue(connection, queue) : new RunQueue(QueueServiceUri!, new DefaultAzureCredential(), queue);

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
