using System.Text.Json;
using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Cli.Tests.Commands;

/// <summary><c>merge</c> over a local report directory holding shard reports.</summary>
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
}
