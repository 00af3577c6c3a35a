using System.IO.Compression;
using System.Text.Json;
using Azure.Storage.Blobs;
using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Archive;

/// <summary>The archive against a real Azurite.</summary>
public sealed class BlobReportStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-archive-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RunReport Report(string runId) => new()
    {
        RunId = runId,
        Environment = "staging",
        Target = "mistral-7b",
        Model = "mistralai/Mistral-7B-Instruct-v0.3",
        Status = RunStatus.Completed,
        StartedAt = new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero),
        EndedAt = new DateTimeOffset(2026, 11, 28, 2, 1, 0, TimeSpan.Zero),
        Trigger = RunTrigger.Timer,
        Config = new TargetReport { Endpoint = "http://x/v1/chat/completions", Settings = EffectiveConfig.Settings(new BenchmarkSettings()) },
        Benchmarks = [],
    };

    private string RequestsFile()
    {
        var path = Path.Combine(_dir, "r.requests.jsonl.gz");
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gz.Write("{\"index\":0}\n"u8);
        return path;
    }

    [Fact]
    public async Task Archives_report_and_records_in_the_layout_with_metadata_and_tags_once_per_run()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("guidellm-reports");
        var store = new BlobReportStore(container);

        var first = await store.SaveAsync(Report("run-1"), RequestsFile(), CancellationToken.None);
        var second = await store.SaveAsync(Report("run-1") with { Status = RunStatus.Failed }, RequestsFile(), CancellationToken.None);

        Assert.True(first.Written);
        Assert.False(second.Written);
        var blob = container.GetBlobClient("staging/mistral-7b/2026/11/28/run-1.json");
        var json = JsonDocument.Parse((await blob.DownloadContentAsync()).Value.Content.ToString()).RootElement;
        Assert.Equal("completed", json.GetProperty("status").GetString());
        Assert.Equal("run-1.requests.jsonl.gz", json.GetProperty("requestsFile").GetString());
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal("staging", properties.Metadata["environment"]);
        Assert.Equal("completed", properties.Metadata["status"]);
        var tags = (await blob.GetTagsAsync()).Value.Tags;
        Assert.Equal("mistralai/Mistral-7B-Instruct-v0.3", tags["model"]);
        var records = container.GetBlobClient("staging/mistral-7b/2026/11/28/run-1.requests.jsonl.gz");
        await using var gz = new GZipStream((await records.DownloadStreamingAsync()).Value.Content, CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        Assert.Equal("{\"index\":0}", (await reader.ReadToEndAsync()).Trim());
    }

    [Fact]
    public async Task When_storage_is_down_the_report_is_kept_and_uploaded_by_the_next_run()
    {
        var port = LoopbackPorts.Free();
        var pending = Path.Combine(_dir, "pending");
        var downConnection = AzuriteServer.BlobConnectionString(port);
        var options = new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(2) } };
        var down = new FallbackReportStore(new BlobReportStore(new BlobServiceClient(downConnection, options).GetBlobContainerClient("guidellm-reports")), pending);

        var kept = await down.SaveAsync(Report("run-2"), RequestsFile(), CancellationToken.None);

        Assert.Contains("archive unreachable", kept.Location, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(pending, "*.json", SearchOption.AllDirectories));
        Assert.Equal(0, await down.UploadPendingAsync(CancellationToken.None));

        await using var azurite = await AzuriteServer.StartAsync(port);
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("guidellm-reports");
        var up = new FallbackReportStore(new BlobReportStore(container), pending);

        Assert.Equal(1, await up.UploadPendingAsync(CancellationToken.None));
        Assert.True((await container.GetBlobClient("staging/mistral-7b/2026/11/28/run-2.json").ExistsAsync()).Value);
        Assert.True((await container.GetBlobClient("staging/mistral-7b/2026/11/28/run-2.requests.jsonl.gz").ExistsAsync()).Value);
        Assert.Empty(Directory.GetFiles(pending, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("cut mid-upload")]
    [InlineData("500 on every write")]
    public async Task When_storage_fails_during_the_upload_the_report_is_kept_and_uploaded_by_the_next_run(string fault)
    {
        // A blob endpoint that reads each request's head, then drops the connection or answers 500: the SDK's retries
        // fail, and the report must end up in the pending directory, whole.
        await using var broken = RawSocketServer.Start(async (stream, token) =>
        {
            if (fault == "cut mid-upload")
            {
                stream.Close();
                return;
            }

            await stream.WriteAsync("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nx-ms-error-code: InternalError\r\n\r\n"u8.ToArray(), token);
        });
        var pending = Path.Combine(_dir, "pending");
        var options = new BlobClientOptions { Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(10), NetworkTimeout = TimeSpan.FromSeconds(2) } };
        var failing = new FallbackReportStore(new BlobReportStore(new BlobServiceClient(AzuriteServer.BlobConnectionString(broken.Port), options).GetBlobContainerClient("guidellm-reports")), pending);

        var kept = await failing.SaveAsync(Report("run-3"), RequestsFile(), CancellationToken.None);

        Assert.Contains("archive unreachable", kept.Location, StringComparison.Ordinal);
        Assert.True(broken.Connections > 0);
        await using var azurite = await AzuriteServer.StartAsync();
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("guidellm-reports");
        Assert.Equal(1, await new FallbackReportStore(new BlobReportStore(container), pending).UploadPendingAsync(CancellationToken.None));
        var json = JsonDocument.Parse((await container.GetBlobClient("staging/mistral-7b/2026/11/28/run-3.json").DownloadContentAsync()).Value.Content.ToString()).RootElement;
        Assert.Equal("run-3", json.GetProperty("runId").GetString());
        Assert.True((await container.GetBlobClient("staging/mistral-7b/2026/11/28/run-3.requests.jsonl.gz").ExistsAsync()).Value);
    }
}
