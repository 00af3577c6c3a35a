using Azure.Storage.Blobs;
using GuidellmFunctions.Engine.Export;

namespace GuidellmFunctions.Engine.Archive;

/// <summary>
/// The remote_write spool in the blob archive (<c>spool/&lt;receiver&gt;/&lt;time&gt;-...pb</c>), so samples a run could not deliver
/// survive the machine (a Functions instance, a Kubernetes job) and are replayed by whichever runs next. When the
/// archive itself is unreachable, bodies go to the local spool; pending bodies of both are replayed in time order.
/// </summary>
internal sealed class BlobSampleSpool(BlobContainerClient container, SampleSpool local) : ISampleSpool
{
    private const string Prefix = "spool/";
    private const string BlobId = "blob:";
    private volatile bool _containerReady;

    /// <inheritdoc />
    public async Task SaveAsync(Uri receiver, byte[] protobuf, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        try
        {
            if (!_containerReady)
            {
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                _containerReady = true;
            }

            var name = $"{Prefix}{SampleSpool.ReceiverKey(receiver)}/{local.NextName(now)}";
            await container.GetBlobClient(name).UploadAsync(new BinaryData(protobuf), overwrite: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or IOException or AggregateException)
        {
            local.Save(receiver, protobuf, now);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> PendingAsync(Uri receiver, CancellationToken cancellationToken)
    {
        var ids = new List<string>(local.Pending(receiver));
        try
        {
            await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{Prefix}{SampleSpool.ReceiverKey(receiver)}/", cancellationToken).ConfigureAwait(false))
            {
                if (!blob.Name.Contains("/rejected/", StringComparison.Ordinal))
                {
                    ids.Add(BlobId + blob.Name);
                }
            }
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or IOException or AggregateException)
        {
            // The archive is unreachable: replay what is local now, the rest next time.
        }

        return [.. ids.OrderBy(Path.GetFileName, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task<byte[]> ReadAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.StartsWith(BlobId, StringComparison.Ordinal)
            ? (await container.GetBlobClient(id[BlobId.Length..]).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToArray()
            : await local.ReadAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.StartsWith(BlobId, StringComparison.Ordinal))
        {
            await container.GetBlobClient(id[BlobId.Length..]).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await local.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task RejectAsync(string id, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!id.StartsWith(BlobId, StringComparison.Ordinal))
        {
            await local.RejectAsync(id, reason, cancellationToken).ConfigureAwait(false);
            return;
        }

        var name = id[BlobId.Length..];
        var source = container.GetBlobClient(name);
        var content = (await source.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
        var target = name[..(name.LastIndexOf('/') + 1)] + "rejected/" + name[(name.LastIndexOf('/') + 1)..];
        await container.GetBlobClient(target).UploadAsync(content, overwrite: true, cancellationToken).ConfigureAwait(false);
        await container.GetBlobClient(target + ".reason.txt").UploadAsync(BinaryData.FromString(reason), overwrite: true, cancellationToken).ConfigureAwait(false);
        await source.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
