using Azure.Storage.Blobs;
using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Archive;

/// <summary>The remote_write spool in the archive, against a real Azurite, with the local spool as its fallback.</summary>
public sealed class BlobSampleSpoolTests : IDisposable
{
    private static readonly Uri Receiver = new("http://mimir:9009/api/v1/push");
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-bspool-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Bodies_go_to_the_archive_or_locally_when_it_is_down_and_come_back_in_time_order()
    {
        var port = LoopbackPorts.Free();
        var local = new SampleSpool(Path.Combine(_dir, "spool"));
        var t0 = new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);
        var downOptions = new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(2) } };

        await using (var azurite = await AzuriteServer.StartAsync(port))
        {
            var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("guidellm-reports");
            await new BlobSampleSpool(container, local).SaveAsync(Receiver, [1], t0, CancellationToken.None);
            Assert.Empty(local.Pending(Receiver));
        }

        // That Azurite and its data are gone; the next one starts empty on the same port.

        var downContainer = new BlobServiceClient(AzuriteServer.BlobConnectionString(port), downOptions)
            .GetBlobContainerClient("guidellm-reports");
        await new BlobSampleSpool(downContainer, local).SaveAsync(Receiver, [2], t0.AddSeconds(1), CancellationToken.None);
        Assert.Single(local.Pending(Receiver));

        await using var back = await AzuriteServer.StartAsync(port);
        var again = new BlobServiceClient(back.ConnectionString).GetBlobContainerClient("guidellm-reports");
        var spool = new BlobSampleSpool(again, local);
        await spool.SaveAsync(Receiver, [3], t0.AddSeconds(2), CancellationToken.None);

        var pending = await spool.PendingAsync(Receiver, CancellationToken.None);
        Assert.Equal(2, pending.Count);
        Assert.Equal([2], await spool.ReadAsync(pending[0], CancellationToken.None));
        Assert.Equal([3], await spool.ReadAsync(pending[1], CancellationToken.None));

        await spool.DeleteAsync(pending[0], CancellationToken.None);
        await spool.RejectAsync(pending[1], "HTTP 400: too old", CancellationToken.None);
        Assert.Empty(await spool.PendingAsync(Receiver, CancellationToken.None));
        var names = new List<string>();
        await foreach (var blob in again.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "spool/", CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        Assert.Contains(names, n => n.Contains("/rejected/", StringComparison.Ordinal) && n.EndsWith(".reason.txt", StringComparison.Ordinal));
    }
}
