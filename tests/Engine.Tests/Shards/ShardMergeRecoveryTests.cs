using System.Text.Json;
using Azure.Storage.Blobs;
using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Shards;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Shards;

/// <summary>
/// A merger that crashed after claiming, against a real Azurite archive: its claim is held until it is stale (older than
/// the grace with no merged report), then one late check takes it over; of two late checks at once, one merges.
/// </summary>
public sealed class ShardMergeRecoveryTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 16, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-recovery-").FullName;
    private AzuriteServer _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private BlobReportStore Store() => new(new BlobContainerClient(_azurite.ConnectionString, "reports"));

    private async Task SaveShardsAsync(BlobReportStore store, params int[] indexes)
    {
        foreach (var i in indexes)
        {
            await store.SaveAsync(ShardReports.Shard(i, 3, 10 * i, 10, Start), null, CancellationToken.None);
        }
    }

    private Task<ShardMergeResult> MergeAsync(BlobReportStore store, DateTimeOffset now, TimeSpan? takeOverAfter = null) =>
        ShardMerge.TryMergeAsync(store, "r", "e", "t", 3, Start, partial: true, Path.Combine(_dir, Guid.NewGuid().ToString("N")), now, takeOverAfter, CancellationToken.None);

    [Fact]
    public async Task A_claim_left_by_a_crashed_merger_is_held_until_stale_then_taken_over_once()
    {
        var store = Store();
        await SaveShardsAsync(store, 1, 2, 3);
        var crashedAt = Start.AddSeconds(12);
        Assert.True(await store.TryCreateAsync(ReportLayout.MergeClaimPath("r", "e", "t"), ShardClaims.Holder(crashedAt), CancellationToken.None));

        // A shard's own attempt never takes a claim over; the late check waits until the claim is older than the grace.
        Assert.Contains("another shard is merging run r (claimed at 2026-12-03T16:00:12", (await MergeAsync(store, crashedAt.AddSeconds(1))).Outcome, StringComparison.Ordinal);
        var early = await MergeAsync(store, crashedAt.AddMinutes(4), Grace);
        Assert.Null(early.Merged);
        Assert.Equal(crashedAt + Grace, early.RetryAt);

        var late = await Task.WhenAll(MergeAsync(Store(), crashedAt.AddMinutes(6), Grace), MergeAsync(Store(), crashedAt.AddMinutes(6), Grace));

        var winner = Assert.Single(late, r => r.Merged is not null);
        Assert.Contains("merged (3 shards)", winner.Outcome, StringComparison.Ordinal);
        Assert.Contains("took over the stale claim (claimed at 2026-12-03T16:00:12", winner.Outcome, StringComparison.Ordinal);
        Assert.Matches("another caller took the merge of run r first|run r is already merged", Assert.Single(late, r => r.Merged is null).Outcome);
        Assert.Equal(60, winner.Merged!.Benchmarks[0].Summary.Requests.Successful);
        Assert.Contains("already merged", (await MergeAsync(store, crashedAt.AddMinutes(7), Grace)).Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shard_that_started_and_never_reported_is_lost_and_one_never_started_is_missing()
    {
        var store = Store();
        await SaveShardsAsync(store, 1);
        Assert.Null(await ShardClaims.TryStartAsync(store, "r", "e", "t", 2, 3, Start, CancellationToken.None));

        // A second delivery of shard 2 finds its start claim: not run again.
        var again = await ShardClaims.TryStartAsync(store, "r", "e", "t", 2, 3, Start.AddMinutes(1), CancellationToken.None);
        Assert.Contains("shard 2 of 3 of run r was started at 2026-12-03T16:00:00.0000000Z on ", again, StringComparison.Ordinal);

        var merged = (await MergeAsync(store, Start.AddHours(1), Grace)).Merged!;

        Assert.True(merged.Partial);
        Assert.Equal(["completed", "lost", "missing"], merged.Shards!.Select(s => s.Status));
        Assert.Contains("started at 2026-12-03T16:00:00.0000000Z on " + Environment.MachineName, merged.Shards![1].StatusReason, StringComparison.Ordinal);
        Assert.Contains("never started", merged.Shards![2].StatusReason, StringComparison.Ordinal);
        Assert.Contains("shard 2 lost: started at", merged.StatusReason, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(merged, ReportJsonContext.Default.RunReport));
        Assert.Equal("lost", json.RootElement.GetProperty("shards")[1].GetProperty("status").GetString());
    }
}
