using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Tests.Data;

/// <summary>A dataset in blob storage (a real Azurite), read with the credentials a config blob is read with.</summary>
public sealed class BlobDatasetTests
{
    [Fact]
    public async Task A_blob_dataset_is_read_in_order_and_shuffled_with_the_storage_connection_or_its_sas_and_refused_without_naming_the_sas()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("datasets");
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("chat/sharegpt.jsonl");
        await blob.UploadAsync(Samples.Path("sharegpt.jsonl"));
        var expected = DatasetReader.Open(new DatasetSpec { Path = Samples.Path("sharegpt.jsonl") }, new DatasetOpener(), NullLogger.Instance)
            .Pass(0, 0, fileOrder: true, CancellationToken.None).Select(r => r.Messages[0].Content).ToList();
        var sas = blob.GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1));
        string[] Read(DatasetOpener opener, Uri url, DatasetOrder order) =>
            [.. DatasetReader.Open(new DatasetSpec { Url = url, Order = order }, opener, NullLogger.Instance).Pass(0, 5, fileOrder: false, CancellationToken.None).Select(r => r.Messages[0].Content)];

        var byConnection = Read(new DatasetOpener(azurite.ConnectionString), blob.Uri, DatasetOrder.Sequential);
        var bySas = Read(new DatasetOpener(), sas, DatasetOrder.Sequential);
        var shuffled = Read(new DatasetOpener(azurite.ConnectionString), blob.Uri, DatasetOrder.Shuffle);
        var missing = new DatasetOpener(azurite.ConnectionString).Check(new DatasetSpec { Url = new Uri(blob.Uri + ".gone") });
        var badSas = new DatasetOpener().Check(new DatasetSpec { Url = new Uri(sas.ToString().Replace("sig=", "sig=AAAA", StringComparison.Ordinal)) });

        Assert.Equal(expected, byConnection);
        Assert.Equal(expected, bySas);
        Assert.Equal(expected.Order(), shuffled.Order());
        Assert.NotEqual(expected, shuffled);
        Assert.Contains("cannot read the blob: 404 BlobNotFound", missing, StringComparison.Ordinal);
        Assert.Contains("cannot read the blob: 403", badSas, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAA", badSas, StringComparison.Ordinal);
        Assert.Contains("sig=***", badSas, StringComparison.Ordinal);
    }
}
