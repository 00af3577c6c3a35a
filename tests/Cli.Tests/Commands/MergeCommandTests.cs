using System.Text.Json;
using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Shards;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Cli.Tests.Commands;

/// <summary><c>merge</c> over a local report directory holding shard reports, and over a config's blob archive (real Azurite).</summary>
public sealed class MergeCommandTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 16, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-merge-").FullName;
    private readonly StringWriter _out = new();

    public void Dispose()
    {
        _out.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<int> Run(params string[] args) => CliInvoker.RunAsync(_out, CancellationToken.None, args);

    private string Merged => Path.Combine(_dir, "e", "t", "2026", "12", "03", "r.json");

    private Task SaveShardAsync(int index, int successful) =>
        new LocalReportStore(_dir, pages: false).SaveAsync(ShardReports.Shard(index, 3, successful, 10, Start), null, CancellationToken.None);

    [Fact]
    public async Task Merge_waits_for_every_shard_unless_partial_never_merges_twice_and_force_merges_again()
    {
        await SaveShardAsync(1, 10);
        await SaveShardAsync(3, 20);

        Assert.Equal(1, await Run("merge", _dir));
        Assert.Contains("e/t: 2 of 3 shard reports saved (missing: shard 2); not merged yet", _out.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Merged));

        Assert.Equal(0, await Run("merge", _dir, "--partial"));
        using (var partial = JsonDocument.Parse(await File.ReadAllTextAsync(Merged)))
        {
            Assert.True(partial.RootElement.GetProperty("partial").GetBoolean());
            Assert.Equal(30, partial.RootElement.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty("successful").GetInt32());
        }

        await SaveShardAsync(2, 5);
        Assert.Equal(0, await Run("merge", _dir, "--run-id", "r"));
        Assert.Contains("e/t: run r is already merged", _out.ToString(), StringComparison.Ordinal);

        Assert.Equal(0, await Run("merge", _dir, "--force"));
        using var full = JsonDocument.Parse(await File.ReadAllTextAsync(Merged));
        Assert.False(full.RootElement.GetProperty("partial").GetBoolean());
        Assert.Equal(35, full.RootElement.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty("successful").GetInt32());
        Assert.Equal(2, await Run("merge", Path.Combine(_dir, "absent")));
    }

    [Fact]
    public async Task Merge_config_merges_in_the_archive_and_force_takes_over_a_claim_left_by_a_crashed_merger()
    {
        await using var targets = await ArchivedTargets.StartAsync(_dir);
        var store = new BlobReportStore(targets.Archive);
        foreach (var i in new[] { 1, 2, 3 })
        {
            await store.SaveAsync(ShardReports.Shard(i, 3, 10 * i, 10, Start), null, CancellationToken.None);
        }

        // A merger claimed the run and crashed before saving: the claim is held, merge says so and exits 1.
        Assert.True(await store.TryCreateAsync(ReportLayout.MergeClaimPath("r", "e", "t"), ShardClaims.Holder(DateTimeOffset.UtcNow), CancellationToken.None));
        string[] archive = ["merge", "--config", targets.ConfigPath, "--output", Path.Combine(_dir, "out"), "--run-id", "r"];
        Assert.Equal(1, await Run(archive));
        Assert.Contains("e/t: another shard is merging run r (claimed at ", _out.ToString(), StringComparison.Ordinal);
        var names = new List<string>();
        await foreach (var blob in targets.Archive.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "e/t/", CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        Assert.DoesNotContain("e/t/2026/12/03/r.json", names);

        Assert.Equal(0, await Run([.. archive, "--force"]));
        Assert.Contains("e/t: run r merged (3 shards) to http://127.0.0.1:", _out.ToString(), StringComparison.Ordinal);
        using (var merged = JsonDocument.Parse((await targets.Archive.GetBlobClient("e/t/2026/12/03/r.json").DownloadContentAsync()).Value.Content.ToString()))
        {
            Assert.Equal(60, merged.RootElement.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty("successful").GetInt32());
        }

        Assert.Equal(0, await Run(archive));
        Assert.Contains("e/t: run r is already merged", _out.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await Run([.. archive, "--force"]));
        Assert.Equal(2, _out.ToString().Split("run r merged (3 shards)").Length - 1);
        Assert.NotEqual(0, await Run("merge", _dir, "--config", targets.ConfigPath));
        Assert.Contains("Give a report directory (DIR) or --config", _out.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", _out.ToString(), StringComparison.Ordinal);
    }
}
