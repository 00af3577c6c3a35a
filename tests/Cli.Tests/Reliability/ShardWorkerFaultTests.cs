using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Cli.Tests.Reliability;

/// <summary>
/// A sharded run whose worker process is killed mid-burst, as a lost node or an OOM kill would end it: real <c>worker</c>
/// processes of the built CLI, a real Azurite queue and archive, the simulator. The other shard finishes, the late check
/// merges a partial report naming the killed shard as lost, and the killed shard's message, redelivered after its
/// visibility timeout, sends no load a second time.
/// </summary>
public sealed partial class ShardWorkerFaultTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-shardfault-").FullName;
    private readonly StringWriter _out = new();
    private ArchivedTargets _targets = null!;

    public async Task InitializeAsync() => _targets = await ArchivedTargets.StartAsync(_dir);

    public async Task DisposeAsync()
    {
        _out.Dispose();
        await _targets.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [GeneratedRegex(@"shard (?<i>\d) of 2 starting")]
    private static partial Regex Starting();

    private RunnerProcess Worker(string name, string mode) => RunnerProcess.Start(new Dictionary<string, string>(),
        "worker", "--config", _targets.ConfigPath, mode, "--visibility-timeout", "2s", "--output", Path.Combine(_dir, name),
        "--connection", _targets.Azurite.ConnectionString, "--queue", "runs", "--log-level", "Information");

    private static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), describe());
    }

    [Fact]
    public async Task A_worker_killed_mid_burst_leaves_a_partial_merge_naming_its_shard_lost_and_its_redelivery_sends_nothing()
    {
        var startAt = DateTimeOffset.UtcNow.AddSeconds(6);
        Assert.Equal(0, await CliInvoker.RunAsync(_out, CancellationToken.None,
            "enqueue", "-e", "development", "-t", "llama", "--override", "rate=4", "--override", "max_seconds=4", "--override", "max_requests=100000",
            "--run-id", "killed", "--shards", "2", "--start-at", startAt.ToString("O", CultureInfo.InvariantCulture), "--merge-grace", "5s",
            "--config", _targets.ConfigPath, "--connection", _targets.Azurite.ConnectionString, "--queue", "runs"));

        using var first = Worker("a", "--once");
        using var second = Worker("b", "--once");
        string Both() => $"worker a:\n{first.Output}\nworker b:\n{second.Output}";
        await UntilAsync(() => Starting().IsMatch(first.Output) && Starting().IsMatch(second.Output), TimeSpan.FromSeconds(90), Both);
        var sent = _targets.Simulator.GroundTruth.Total;
        await UntilAsync(() => _targets.Simulator.GroundTruth.Total >= sent + 20, TimeSpan.FromSeconds(60), Both);

        var killedShard = int.Parse(Starting().Match(first.Output).Groups["i"].Value, CultureInfo.InvariantCulture);
        first.Kill();
        Assert.Equal(0, await second.WaitAsync(TimeSpan.FromSeconds(90)));
        Assert.Contains($"1 of 2 shard reports saved (missing: shard {killedShard}); not merged yet", second.Output, StringComparison.Ordinal);
        var afterRun = _targets.Simulator.GroundTruth.Total;

        // The killed shard's message reappears after its 2 s visibility timeout; the late check after startAt + 4 s + 5 s.
        var checkAt = startAt.AddSeconds(4 + 5 + 1);
        if (checkAt > DateTimeOffset.UtcNow)
        {
            await Task.Delay(checkAt - DateTimeOffset.UtcNow);
        }

        using (var third = Worker("c", "--drain"))
        {
            Assert.True(await third.WaitAsync(TimeSpan.FromSeconds(90)) is 0, third.Output);
            Assert.Contains("2 message(s): 0 ran, 1 to runs-poison", third.Output, StringComparison.Ordinal);
        }

        Assert.Equal(afterRun, _targets.Simulator.GroundTruth.Total);
        var reports = await _targets.ReportsAsync();
        Assert.DoesNotContain(reports, r => r.EndsWith($"/killed.shard-{killedShard}-of-2.json", StringComparison.Ordinal));
        using var merged = JsonDocument.Parse((await _targets.Archive.GetBlobClient(Assert.Single(reports, r => r.EndsWith("/killed.json", StringComparison.Ordinal))).DownloadContentAsync()).Value.Content.ToString());
        Assert.True(merged.RootElement.GetProperty("partial").GetBoolean());
        var lost = merged.RootElement.GetProperty("shards")[killedShard - 1];
        Assert.Equal("lost", lost.GetProperty("status").GetString());
        Assert.Contains("started at", lost.GetProperty("statusReason").GetString(), StringComparison.Ordinal);
        Assert.Equal("completed", merged.RootElement.GetProperty("shards")[2 - killedShard].GetProperty("status").GetString());
        Assert.Contains($"shard {killedShard} lost", merged.RootElement.GetProperty("statusReason").GetString(), StringComparison.Ordinal);

        // The redelivery went to the poison queue with why: before the late check, its start claim; after it, the merge.
        var poisoned = Assert.Single((await new QueueClient(_targets.Azurite.ConnectionString, "runs-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).ReceiveMessagesAsync(10)).Value).Body.ToString();
        Assert.Matches($"shard {killedShard} of 2 of run killed was started at .* by an earlier delivery|run killed is already merged; shard {killedShard} of 2 is not run", poisoned);
    }
}
