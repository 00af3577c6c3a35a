using Azure;
using Azure.Identity;
using Azure.Storage.Blobs.Models;
using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// Opens a dataset's bytes from a position: a local file, or a blob read with the credentials of a config blob (the URL's
/// SAS, the storage connection when the blob is in its account, else managed identity), in ranges as they are read.
/// </summary>
public sealed class DatasetOpener
{
    private readonly string? _storageConnection;

    /// <summary>Creates an opener; <paramref name="storageConnection"/> (<c>AzureWebJobsStorage</c>) reads blobs in its account.</summary>
    public DatasetOpener(string? storageConnection = null)
    {
        _storageConnection = storageConnection;
    }

    /// <summary>The bytes of <paramref name="spec"/>'s file from <paramref name="position"/>.</summary>
    /// <exception cref="DatasetException">It cannot be opened; the message names it and why, never a credential.</exception>
    internal Stream Open(DatasetSpec spec, long position)
    {
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            if (spec.Path is { } path)
            {
                var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                file.Seek(position, SeekOrigin.Begin);
                return file;
            }

            var blob = BlobLocation.Client(spec.Url!, _storageConnection);
            return blob.OpenRead(new BlobOpenReadOptions(allowModifications: false) { Position = position, BufferSize = 256 * 1024 });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"dataset {spec.Location}: cannot read the file: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is RequestFailedException or AuthenticationFailedException or FormatException or AggregateException)
        {
            var why = ex is RequestFailedException failed ? $"{failed.Status} {failed.ErrorCode}".Trim() : ex.GetType().Name;
            throw new DatasetException($"dataset {spec.Location}: cannot read the blob: {why}: {FirstLine(ex.Message)}", ex);
        }
    }

    /// <summary>
    /// Opens <paramref name="spec"/> as a run would (its format told, its first 1,000 records examined), for
    /// <c>validate</c>: null when it can be used, else the problem, naming it.
    /// </summary>
    public string? Check(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            _ = DatasetReader.Open(spec, this, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            return null;
        }
        catch (DatasetException ex)
        {
            return ex.Message;
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
