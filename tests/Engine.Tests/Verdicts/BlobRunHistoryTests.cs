using System.Text.Json;
using Azure.Storage.Blobs;
using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Engine.Verdicts;

namespace GuidellmFunctions.Engine.Tests.Verdicts;

/// <summary>The baseline lookup in the archive container, against a real Azurite, with runs saved as the blob store saves them.</summary>
public sealed class BlobRunHistoryTests : IDisposable
{
    private static readonly DateTimeOffset Night = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);
    private readonly string _staging = Directory.CreateTempSubdirectory("guidellm-blob-history-").FullName;

    public void Dispose() => Directory.Delete(_staging, recursive: true);

    private async Task<RunReport> Save(BlobReportStore store, string id, DateTimeOffset at, RunStatus status = RunStatus.Completed, double rate = 50, string model = "m")
    {
        var path = SyntheticRuns.Write(_staging, id, SyntheticRuns.Autocorrelated(50, rate, 0.5, 1), rate, at, status: status, model: model);
        var report = JsonSerializer.Deserialize(await File.ReadAllTextAsync(path), ReportJsonContext.Default.RunReport)! with { RequestsFile = null };
        Assert.True((await store.SaveAsync(report, path[..^".json".Length] + ReportLayout.RequestsSuffix, CancellationToken.None)).Written);
        return report with { RequestsFile = id + ReportLayout.RequestsSuffix };
    }

    [Fact]
    public async Task The_baseline_is_found_in_the_archive_container_pinned_or_newest_and_its_records_are_read_from_the_blob()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var service = new BlobServiceClient(azurite.ConnectionString);
        var container = service.GetBlobContainerClient("guidellm-reports");
        var store = new BlobReportStore(container);
        await Save(store, "oldest", Night.AddDays(-3));
        await Save(store, "wanted", Night.AddDays(-2));
        await Save(store, "failed", Night.AddDays(-1), status: RunStatus.Failed);
        await Save(store, "other-rate", Night.AddHours(-1), rate: 20);
        await Save(store, "other-model", Night.AddHours(-2), model: "x");
        await Save(store, "later", Night.AddHours(1));
        var current = await Save(store, "now", Night);
        var history = new BlobRunHistory(container);

        var (newest, none) = await BaselineFinder.FindAsync(history, current, null, CancellationToken.None);
        var (pinned, _) = await BaselineFinder.FindAsync(history, current, "oldest", CancellationToken.None);
        var (missing, why) = await BaselineFinder.FindAsync(history, current, "lost", CancellationToken.None);
        var (first, reason) = await BaselineFinder.FindAsync(new BlobRunHistory(service.GetBlobContainerClient("empty")), current, null, CancellationToken.None);

        Assert.Null(none);
        Assert.Equal("wanted", newest!.RunId);
        Assert.Equal("oldest", pinned!.RunId);
        Assert.Null(missing);
        Assert.Contains("the pinned baseline run lost of dev/t is not in", why, StringComparison.Ordinal);
        Assert.Null(first);
        Assert.Contains("no earlier completed run of dev/t with model m, valid stages and the same effective config in", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", why + reason, StringComparison.OrdinalIgnoreCase);

        // The verdict reads both runs' records as the blob store archived them: the same requests, so unchanged.
        var verdict = await VerdictJudge.CompareAsync(
            current, async ct => (await history.OpenRequestsAsync(current, ct))!,
            newest, async ct => (await history.OpenRequestsAsync(newest, ct))!,
            0.05, CancellationToken.None);
        Assert.Equal("unchanged", verdict.Result);
        Assert.Equal("wanted", verdict.BaselineRunId);
        Assert.NotEmpty(verdict.Metrics);
    }
}
