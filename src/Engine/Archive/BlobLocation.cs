using Azure.Identity;
using Azure.Storage.Blobs;

namespace GuidellmFunctions.Engine.Archive;

/// <summary>
/// Reads a blob named by URL with the credentials the runner has for it: the URL's own SAS when it carries one, the
/// storage connection when the blob is in that account (Azurite included), and DefaultAzureCredential (managed or
/// workload identity) otherwise. Used for a config blob and for archived reports.
/// </summary>
internal static class BlobLocation
{
    /// <summary>True when <paramref name="location"/> is an http(s) URL (a blob), false for a file path.</summary>
    public static bool TryParse(string location, out Uri uri)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (Uri.TryCreate(location, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp))
        {
            uri = parsed;
            return true;
        }

        uri = null!;
        return false;
    }

    /// <summary>A client for the blob at <paramref name="uri"/>.</summary>
    /// <param name="uri">The blob's URL, possibly with a SAS.</param>
    /// <param name="storageConnection">Storage connection string (<c>AzureWebJobsStorage</c>) used for blobs in its account.</param>
    /// <exception cref="FormatException">The connection string is malformed (the message never holds its value).</exception>
    public static BlobClient Client(Uri uri, string? storageConnection)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var options = new BlobClientOptions { Retry = { MaxRetries = 2, NetworkTimeout = TimeSpan.FromSeconds(30) }, Transport = Engine.Client.Transport.OutboundHttp.Azure };
        if (uri.Query.Contains("sig=", StringComparison.OrdinalIgnoreCase))
        {
            return new BlobClient(uri, options);
        }

        if (!string.IsNullOrWhiteSpace(storageConnection))
        {
            BlobServiceClient service;
            try
            {
                service = new BlobServiceClient(storageConnection, options);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                // The message names the setting, never its value: a connection string carries the account key.
                throw new FormatException($"the storage connection string is malformed ({ex.GetType().Name})");
            }

            var parts = new BlobUriBuilder(uri);
            var account = new BlobUriBuilder(service.Uri);
            if (string.Equals(parts.Host, account.Host, StringComparison.OrdinalIgnoreCase) && parts.Port == account.Port
                && string.Equals(parts.AccountName, service.AccountName, StringComparison.Ordinal))
            {
                return service.GetBlobContainerClient(parts.BlobContainerName).GetBlobClient(parts.BlobName);
            }
        }

        return new BlobClient(uri, new DefaultAzureCredential(), options);
    }

    /// <summary>The URL of the blob named <paramref name="fileName"/> in the same folder as <paramref name="uri"/>, keeping its query (a SAS for the container stays valid; one for a single blob does not).</summary>
    public static Uri Sibling(Uri uri, string fileName)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var builder = new UriBuilder(uri);
        var path = builder.Path;
        builder.Path = string.Concat(path.AsSpan(0, path.LastIndexOf('/') + 1), Uri.EscapeDataString(fileName));
        return builder.Uri;
    }
}
