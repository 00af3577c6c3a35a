using System.Text.Json;
using Azure.Storage.Queues;
using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Cli.Tests.Commands;

/// <summary><c>enqueue</c> and <c>worker</c> against a real Azurite (queue and archive) and the simulator.</summary>
public sealed class QueueCommandsTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-queue-").FullName;
    private readonly StringWriter _out = new();
    private ArchivedTargets _targets = null!;

    public async Task InitializeAsync() => _targets = await ArchivedTargets.StartAsync(_dir);

    public async Task DisposeAsync()
    {
        _out.Dispose();
        await _targets.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<int> Run(params string[] args) =>
        CliInvoker.RunAsync(_out, CancellationToken.None, [.. args, "--connection", _targets.Azurite.ConnectionString, "--queue", "runs"]);

    private QueueClient Queue(string name) => new(_targets.Azurite.ConnectionString, name);

    private Task<List<string>> ArchivedReports() => _targets.ReportsAsync();

    [Fact]
    public async Task Worker_drain_empties_a_queue_of_several_messages_and_exits_0()
    {
        Assert.Equal(0, await Run("enqueue", "--environment", "development", "--run-id", "one", "--config", _targets.ConfigPath));
        Assert.Equal(0, await Run("enqueue", "-e", "development", "--target", "llama", "--override", "max_requests=2", "--override", "outputTokens=3", "--run-id", "two", "--config", _targets.ConfigPath));
        Assert.Equal(0, await Run("enqueue", "-e", "development", "-t", "mistral", "--run-id", "three"));
        await Queue("runs").SendMessageAsync("""{"environment":"production"}""");

        var exit = await Run("worker", "--config", _targets.ConfigPath, "--drain", "--output", Path.Combine(_dir, "out"));

        var output = _out.ToString();
        Assert.True(exit == 0, output);
        Assert.Contains("4 message(s): 3 ran, 1 to runs-poison, 0 left on the queue for a retry", output, StringComparison.Ordinal);
        Assert.Equal(0, (await Queue("runs").GetPropertiesAsync()).Value.ApproximateMessagesCount);
        var reports = await ArchivedReports();
        Assert.Equal(4, reports.Count);
        Assert.Equal(2, reports.Count(r => r.EndsWith("/one.json", StringComparison.Ordinal)));
        var two = Assert.Single(reports, r => r.EndsWith("/two.json", StringComparison.Ordinal));
        Assert.StartsWith("development/llama/", two, StringComparison.Ordinal);
        var container = _targets.Archive;
        using var json = JsonDocument.Parse((await container.GetBlobClient(two).DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal(2, json.RootElement.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty("successful").GetInt32());
        Assert.Single(reports, r => r.StartsWith("development/mistral/", StringComparison.Ordinal) && r.EndsWith("/three.json", StringComparison.Ordinal));
        var poisoned = Assert.Single((await new QueueClient(_targets.Azurite.ConnectionString, "runs-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).ReceiveMessagesAsync(10)).Value);
        Assert.Contains("unknown environment 'production'", poisoned.Body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_sends_a_message_beyond_a_cap_to_the_poison_queue_naming_the_cap_and_sends_no_load()
    {
        const string Message = """{"runId":"greedy","environment":"development","targets":["mistral"],"overrides":{"maxRequests":11}}""";
        await Queue("runs").CreateIfNotExistsAsync();
        await Queue("runs").SendMessageAsync(Message);
        var before = _targets.Simulator.GroundTruth.Total;

        var exit = await Run("worker", "--config", _targets.ConfigPath, "--once", "--output", Path.Combine(_dir, "out"));

        Assert.True(exit == 0, _out.ToString());
        var poisoned = Assert.Single((await new QueueClient(_targets.Azurite.ConnectionString, "runs-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).ReceiveMessagesAsync(10)).Value);
        Assert.Contains("development/mistral: max_requests 11 exceeds the cap 10 of on-demand runs (limits.targets.development/mistral.requests)", poisoned.Body.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, _targets.Simulator.GroundTruth.Total);
        Assert.Empty(await ArchivedReports());
    }

    [Fact]
    public async Task Worker_once_takes_one_message_and_an_empty_queue_is_not_an_error()
    {
        Assert.Equal(0, await Run("enqueue", "-e", "development", "-t", "llama", "--run-id", "a", "--config", _targets.ConfigPath));
        Assert.Equal(0, await Run("enqueue", "-e", "development", "-t", "llama", "--run-id", "b", "--config", _targets.ConfigPath));

        Assert.Equal(0, await Run("worker", "--config", _targets.ConfigPath, "--once", "--output", Path.Combine(_dir, "out")));
        Assert.Equal(1, (await Queue("runs").GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(0, await Run("worker", "--config", _targets.ConfigPath, "--once", "--output", Path.Combine(_dir, "out")));
        Assert.Equal(0, await Run("worker", "--config", _targets.ConfigPath, "--once", "--output", Path.Combine(_dir, "out")));

        Assert.Contains("0 message(s)", _out.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, (await ArchivedReports()).Count);
    }

    [Fact]
    public async Task Enqueue_shards_posts_one_message_per_shard_and_a_worker_merges_after_the_last()
    {
        var startAt = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, await Run("enqueue", "-e", "development", "-t", "llama", "--override", "rate=3", "--run-id", "split", "--shards", "2", "--start-at", startAt, "--config", _targets.ConfigPath));

        Assert.Equal(0, await Run("worker", "--config", _targets.ConfigPath, "--drain", "--output", Path.Combine(_dir, "out")));

        var reports = await ArchivedReports();
        Assert.Single(reports, r => r.EndsWith("/split.shard-1-of-2.json", StringComparison.Ordinal));
        Assert.Single(reports, r => r.EndsWith("/split.shard-2-of-2.json", StringComparison.Ordinal));
        using var merged = JsonDocument.Parse((await _targets.Archive.GetBlobClient(Assert.Single(reports, r => r.EndsWith("/split.json", StringComparison.Ordinal))).DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal(4, merged.RootElement.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty("successful").GetInt32());
        Assert.Equal(2, merged.RootElement.GetProperty("shards").GetArrayLength());

        // The late check stays invisible on the queue until the shards' planned end and grace.
        Assert.Equal(1, (await Queue("runs").GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty((await Queue("runs").ReceiveMessagesAsync(1)).Value);
    }

    [Theory]
    [InlineData("unknown target 'gpt-5'", "-e", "development", "-t", "gpt-5")]
    [InlineData("unknown environment 'production'", "-e", "production")]
    [InlineData("override rate", "-e", "development", "--override", "rate=-3")]
    [InlineData("development/llama: rate (streams) 9 exceeds the cap 8 of on-demand runs (limits.streams)", "-e", "development", "-t", "llama", "--override", "rate=9")]
    [InlineData("max_seconds 900 exceeds the cap 600 of on-demand runs (limits.seconds)", "-e", "development", "--override", "max_seconds=15m")]
    [InlineData("unknown override \"colour\"", "-e", "development", "--override", "colour=blue")]
    [InlineData("'rate' is not key=value", "-e", "development", "--override", "rate")]
    [InlineData("runId must be", "-e", "development", "--run-id", "no spaces allowed")]
    [InlineData("mergeGrace must be a duration above 0 and at most 24h", "-e", "development", "--shards", "2", "--merge-grace", "soon")]
    [InlineData("--shards must be 1 to 100, not 0", "-e", "development", "--shards", "0")]
    [InlineData("--shards must be 1 to 100, not 101", "-e", "development", "--shards", "101")]
    [InlineData("development/llama: 2 streams cannot be split into 3 shards (fewer streams than shards)", "-e", "development", "-t", "llama", "--shards", "3")]
    public async Task Enqueue_refuses_a_message_that_could_never_succeed_and_posts_nothing(string reason, params string[] args)
    {
        var exit = await Run(["enqueue", .. args, "--config", _targets.ConfigPath]);

        Assert.Equal(2, exit);
        Assert.Contains(reason, _out.ToString(), StringComparison.Ordinal);
        var queue = Queue("runs");
        Assert.False((await queue.ExistsAsync()).Value && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0);
    }

    [Fact]
    public async Task Worker_needs_exactly_one_of_once_and_drain_and_never_prints_the_connection()
    {
        var neither = await Run("worker", "--config", _targets.ConfigPath);
        var both = await Run("worker", "--config", _targets.ConfigPath, "--once", "--drain");
        var badConfig = await Run("worker", "--config", Path.Combine(_dir, "missing.yaml"), "--once");
        var badVisibility = await Run("worker", "--config", _targets.ConfigPath, "--once", "--visibility-timeout", "1s");

        Assert.NotEqual(0, neither);
        Assert.NotEqual(0, both);
        Assert.Equal(2, badConfig);
        Assert.Equal(2, badVisibility);
        var output = _out.ToString();
        Assert.Contains("Give exactly one of --once and --drain", output, StringComparison.Ordinal);
        Assert.Contains("missing.yaml", output, StringComparison.Ordinal);
        Assert.Contains("--visibility-timeout '1s' must be a duration from 2s to 7 days", output, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", output, StringComparison.Ordinal);
    }
}
