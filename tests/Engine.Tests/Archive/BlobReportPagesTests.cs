using System.Text.Json;
using Azure.Storage.Blobs;
using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Reporting.Html;
using GuidellmFunctions.Engine.Tests.Reporting.Html;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Archive;

/// <summary>The archive's pages against a real Azurite: each report's page beside it as text/html, and the day index.</summary>
[Collection(ReportPagesCollection.Name)]
public sealed class BlobReportPagesTests(ReportFixtures reports)
{
    private RunReport Sweep(string runId) =>
        JsonSerializer.Deserialize(File.ReadAllBytes(reports.Sweep), ReportJsonContext.Default.RunReport)! with { RunId = runId, RequestsFile = null };

    private string Records => reports.Sweep[..^".json".Length] + ReportLayout.RequestsSuffix;

    [Fact]
    public async Task Each_report_gets_its_page_once_and_the_day_index_lists_the_runs()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("guidellm-reports");
        var store = new BlobReportStore(container);

        await store.SaveAsync(Sweep("run-a"), Records, CancellationToken.None);
        await store.SaveAsync(Sweep("run-b") with { Status = RunStatus.Failed }, Records, CancellationToken.None);
        var again = await store.SaveAsync(Sweep("run-a") with { Status = RunStatus.Cancelled }, Records, CancellationToken.None);

        Assert.False(again.Written);
        var day = Sweep("x").StartedAt.UtcDateTime;
        var folder = $"pages/sim-sweep/{day:yyyy}/{day:MM}/{day:dd}/";
        var page = container.GetBlobClient(folder + "run-a.html");
        var properties = (await page.GetPropertiesAsync()).Value;
        Assert.Equal("text/html; charset=utf-8", properties.ContentType);
        Assert.Equal("pages", properties.Metadata["environment"]);
        var html = (await page.DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("data-status=\"completed\"", html, StringComparison.Ordinal);
        Assert.Contains("data-chart=\"timeline-ttft\"", html, StringComparison.Ordinal);

        var loaded = await ArchivedReport.LoadAsync(container.GetBlobClient(folder + "run-a.json").Uri.ToString(), azurite.ConnectionString, CancellationToken.None);
        Assert.True(loaded.HasRequests);
        Assert.Equal(ReportPage.Render(loaded), html);

        var index = container.GetBlobClient(folder + ReportLayout.DayIndexName);
        Assert.Equal("text/html; charset=utf-8", (await index.GetPropertiesAsync()).Value.ContentType);
        var listing = (await index.DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("href=\"run-a.html\"", listing, StringComparison.Ordinal);
        Assert.Contains("href=\"run-b.html\"", listing, StringComparison.Ordinal);
        Assert.Contains("href=\"run-b.requests.jsonl.gz\"", listing, StringComparison.Ordinal);
        Assert.Contains("failed", listing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_kept_while_storage_was_down_gets_its_page_when_it_is_uploaded()
    {
        using var dir = new TempDirectory();
        var pending = Path.Combine(dir.Path, "pending");
        var down = new BlobServiceClient(AzuriteServer.BlobConnectionString(LoopbackPorts.Free()), new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(2) } });
        await new FallbackReportStore(new BlobReportStore(down.GetBlobContainerClient("guidellm-reports")), pending).SaveAsync(Sweep("run-p"), Records, CancellationToken.None);
        Assert.Empty(Directory.GetFiles(pending, "*.html", SearchOption.AllDirectories));

        await using var azurite = await AzuriteServer.StartAsync();
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("guidellm-reports");
        Assert.Equal(1, await new FallbackReportStore(new BlobReportStore(container), pending).UploadPendingAsync(CancellationToken.None));

        var day = Sweep("x").StartedAt.UtcDateTime;
        var html = (await container.GetBlobClient($"pages/sim-sweep/{day:yyyy}/{day:MM}/{day:dd}/run-p.html").DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("data-chart=\"timeline-inflight\"", html, StringComparison.Ordinal);
    }
}
