using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// Where the config lives (<c>GUIDELLM_CONFIG</c>): a file path or a blob URL. A blob URL is read with its SAS when it
/// carries one, with the storage connection when it points into that account (Azurite included), and with
/// DefaultAzureCredential (managed identity) otherwise. Each load reads it again, so an edited config is used by the next
/// run; when the blob cannot be read later, the last config read is used and a warning says so. <see cref="LoadAsync"/>
/// (what every run reads) also lists the models of <c>discovery:</c> and adds a target per model.
/// </summary>
public sealed partial class ConfigSource
{
    private readonly ConfigLoader _loader;
    private readonly BlobClient? _blob;
    private readonly ILogger _logger;
    private readonly Discovery.ModelDiscovery _discovery;
    private RunnerConfig? _lastGood;

    /// <summary>Creates a source for <paramref name="location"/>.</summary>
    /// <param name="location">A file path, or an http(s) blob URL.</param>
    /// <param name="storageConnection">Storage connection string (<c>AzureWebJobsStorage</c>) used for blob URLs in its account.</param>
    /// <param name="loader">Parses and validates the YAML.</param>
    /// <param name="logger">Logs the fallback to the last config read.</param>
    /// <param name="discovery">Lists the models of <c>discovery:</c> (a default one when null).</param>
    public ConfigSource(string location, string? storageConnection = null, ConfigLoader? loader = null, ILogger? logger = null, Discovery.ModelDiscovery? discovery = null)
    {
        _discovery = discovery ?? new Discovery.ModelDiscovery();
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        Location = location;
        _loader = loader ?? new ConfigLoader();
        _logger = logger ?? NullLogger.Instance;
        if (Uri.TryCreate(location, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            _blob = CreateBlobClient(uri, storageConnection);
            DisplayName = EffectiveConfig.RedactUrl(uri);
        }
        else
        {
            DisplayName = location;
        }
    }

    /// <summary>The location as given (may carry a SAS: do not print it).</summary>
    public string Location { get; }

    /// <summary>The location with any credentials masked, for messages.</summary>
    public string DisplayName { get; }

    /// <summary>True when the config is read from blob storage.</summary>
    public bool IsBlob => _blob is not null;

    /// <summary>Reads and validates the config, with the targets <c>discovery:</c> finds merged in.</summary>
    /// <exception cref="ConfigValidationException">It is invalid, or cannot be read and was never read before.</exception>
    public async Task<RunnerConfig> LoadAsync(CancellationToken cancellationToken = default) =>
        await _discovery.ApplyAsync(await ReadAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task<RunnerConfig> ReadAsync(CancellationToken cancellationToken)
    {
        if (_blob is null)
        {
            return _loader.LoadFile(Location);
        }

        string text;
        try
        {
            text = (await _blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToString();
        }
        catch (Exception ex) when (ex is RequestFailedException or AuthenticationFailedException or AggregateException or HttpRequestException)
        {
            return Unreadable(ex);
        }

        return Remember(text);
    }

    /// <summary>Reads and validates the config synchronously (start-up validation); models are not discovered.</summary>
    /// <exception cref="ConfigValidationException">It is invalid or cannot be read.</exception>
    public RunnerConfig Load()
    {
        if (_blob is null)
        {
            return _loader.LoadFile(Location);
        }

        string text;
        try
        {
            text = _blob.DownloadContent().Value.Content.ToString();
        }
        catch (Exception ex) when (ex is RequestFailedException or AuthenticationFailedException or AggregateException or HttpRequestException)
        {
            return Unreadable(ex);
        }

        return Remember(text);
    }

    private RunnerConfig Remember(string text)
    {
        var config = _loader.LoadText(text, DisplayName);
        _lastGood = config;
        return config;
    }

    private RunnerConfig Unreadable(Exception ex)
    {
        var why = ex is RequestFailedException failed ? $"{failed.Status} {failed.ErrorCode}".Trim() : ex.GetType().Name;
        if (_lastGood is { } last)
        {
            LogUsingLastGood(_logger, DisplayName, why);
            return last;
        }

        throw new ConfigValidationException([new ConfigError(DisplayName, 0, 0, string.Empty, $"cannot read config blob: {why}: {FirstLine(ex.Message)}")]);
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    private static BlobClient CreateBlobClient(Uri uri, string? storageConnection)
    {
        try
        {
            return Archive.BlobLocation.Client(uri, storageConnection);
        }
        catch (FormatException ex)
        {
            throw new ConfigValidationException([new ConfigError("AzureWebJobsStorage", 0, 0, string.Empty, ex.Message)]);
        }
    }

    [LoggerMessage(1101, LogLevel.Warning, "Config {Location} cannot be read ({Reason}); using the config read last")]
    private static partial void LogUsingLastGood(ILogger logger, string location, string reason);
}
