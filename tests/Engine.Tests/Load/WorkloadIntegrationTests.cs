using System.Collections.Concurrent;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Tests.Load;

/// <summary>
/// Datasets, shared prefixes, conversations and trace replay sent to the real simulator through a pass-through that keeps
/// what arrived: the requests must be exactly what the workload says.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class WorkloadIntegrationTests : IAsyncLifetime, IDisposable
{
    private static readonly PromptGenerator Prompts = new();
    private readonly TargetTransportFactory _clients = new();
    private SimulatorServer _server = null!;
    private CapturingProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        // A KV capacity turns on the prefix cache (issue 27), which the shared-prefix and conversation tests read.
        _server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1, ItlLoadFactor = 0, KvCacheTokens = 400_000 });
        _proxy = await CapturingProxy.StartAsync(_server.V1);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _server.DisposeAsync();
    }

    public void Dispose() => _clients.Dispose();

    private ResolvedTarget Target(BenchmarkSettings settings) =>
        new("it", new TargetConfig { Name = "sim", Url = _proxy.V1, Model = _server.Options.Model }, settings);

    private Task<RunReport> RunAsync(BenchmarkSettings settings, string runId, params IRunObserver[] observers) =>
        new LoadTestRunner(_clients, Prompts, TimeProvider.System).RunAsync(Target(settings), runId, RunTrigger.Cli, observers, CancellationToken.None);

    private List<CapturingProxy.Exchange> Arrived(string runId, int stage = 0) =>
        [.. _proxy.Exchanges.Values.Where(e => e.RequestId.StartsWith($"{runId}-{stage}-", StringComparison.Ordinal)).OrderBy(e => e.ArrivalTimestamp)];

    private static List<string> PlainPrompts() =>
        [.. DatasetReader.Open(new DatasetSpec { Path = Samples.Path("plain.jsonl") }, new DatasetOpener(), NullLogger.Instance).Pass(0, 0, fileOrder: true, CancellationToken.None).Select(r => r.Messages[0].Content)];

    [Fact]
    public async Task A_dataset_read_in_order_arrives_record_by_record_and_goes_round_again()
    {
        var settings = new BenchmarkSettings { Profile = ProfileKind.Synchronous, MaxRequests = 13, MaxDuration = TimeSpan.FromSeconds(60) }
            .Set(SettingsTable.Dataset, new DatasetSpec { Path = Samples.Path("plain.jsonl") });

        var report = await RunAsync(settings, "seq");

        var arrived = Arrived("seq");
        var prompts = PlainPrompts();
        Assert.Equal(RunStatus.Completed, report.Status);
        Assert.Equal([.. prompts, .. prompts.Take(3)], arrived.Select(e => e.LastUserText));
        Assert.Equal(16, arrived[0].Body.RootElement.GetProperty("max_tokens").GetInt32());
        Assert.Equal(128, arrived[1].Body.RootElement.GetProperty("max_tokens").GetInt32());
        Assert.Equal(new DatasetReport(null, Samples.Path("plain.jsonl"), "plain", "sequential", 13, 0, [], 0), report.Dataset! with { MalformedLines = [] });
    }

    [Fact]
    public async Task A_shuffled_dataset_arrives_in_its_seeds_permutation_the_same_every_run()
    {
        var settings = new BenchmarkSettings { Profile = ProfileKind.Concurrent, Rate = 1, MaxRequests = 10, MaxDuration = TimeSpan.FromSeconds(60), Seed = 11 }
            .Set(SettingsTable.Dataset, new DatasetSpec { Path = Samples.Path("plain.jsonl"), Order = DatasetOrder.Shuffle });

        await RunAsync(settings, "shuf1");
        await RunAsync(settings, "shuf2");
        await RunAsync(settings with { Seed = 12 }, "shuf3");

        var first = Arrived("shuf1").Select(e => e.LastUserText).ToList();
        Assert.Equal(PlainPrompts().Order(), first.Order());
        Assert.NotEqual(PlainPrompts(), first);
        Assert.Equal(first, Arrived("shuf2").Select(e => e.LastUserText));
        Assert.NotEqual(first, Arrived("shuf3").Select(e => e.LastUserText));
    }

    [Fact]
    public async Task Shared_prefixes_are_byte_identical_within_a_group_and_exact_in_tokens()
    {
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Constant, Rate = 40, MaxRequests = 12, MaxDuration = TimeSpan.FromSeconds(60),
            Data = new DataSpec(new TokenDistribution(50), new TokenDistribution(4)) { PrefixTokens = 200, PrefixCount = 3 },
        };

        var report = await RunAsync(settings, "prefix");

        var prompts = Arrived("prefix").ToDictionary(e => long.Parse(e.RequestId.Split('-')[^1], System.Globalization.CultureInfo.InvariantCulture), e => e.LastUserText);
        Assert.Equal(12, prompts.Count);
        Assert.Equal(12 * 250, report.Benchmarks[0].Summary.Tokens.PromptTarget);
        var prefixes = new List<string>();
        for (var group = 0; group < 3; group++)
        {
            var members = prompts.Where(p => p.Key % 3 == group).Select(p => p.Value).ToList();
            var shared = members.Aggregate((a, b) => a[..a.Zip(b).TakeWhile(x => x.First == x.Second).Count()]);
            Assert.True(Prompts.CountTokens(shared) >= 200, $"group {group} shares only '{shared}'");
            Assert.All(members, m => Assert.Equal(250, Prompts.CountTokens(m)));
            prefixes.Add(shared);
        }

        Assert.Equal(3, prefixes.Select(p => p[..400]).Distinct().Count());
    }

    [Fact]
    public async Task Every_turn_of_a_conversation_sends_the_whole_history_with_the_servers_own_answers()
    {
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = 2, MaxRequests = 4, MaxDuration = TimeSpan.FromSeconds(60),
            Data = new DataSpec(new TokenDistribution(20), new TokenDistribution(6)) { Turns = 3 },
        }.Set(SettingsTable.ThinkTime, TimeSpan.FromMilliseconds(20));
        var turns = new TurnCapture();

        var report = await RunAsync(settings, "conv", turns);

        var arrived = Arrived("conv").ToDictionary(e => e.RequestId);
        Assert.Equal(12, arrived.Count);
        foreach (var conversation in Enumerable.Range(0, 4).Select(i => $"conv-0-{i}"))
        {
            var first = arrived[conversation];
            var second = arrived[conversation + "-t1"];
            var third = arrived[conversation + "-t2"];
            Assert.Single(first.Messages);
            Assert.Equal([("user", first.LastUserText), ("assistant", first.Answer), ("user", second.LastUserText)], second.Messages);
            Assert.Equal([.. second.Messages, ("assistant", second.Answer), ("user", third.LastUserText)], third.Messages);
            Assert.False(string.IsNullOrEmpty(first.Answer));
            Assert.NotEqual(first.LastUserText, second.LastUserText);
        }

        var summary = report.Benchmarks[0].Summary;
        Assert.Equal([0, 1, 2], summary.Turns!.Select(t => t.Turn));
        Assert.All(summary.Turns!, t => Assert.Equal(4, t.Requests.Successful));
        Assert.True(summary.Turns![2].PromptTokens > summary.Turns[0].PromptTokens + (4 * 2 * 20));
        Assert.Equal(12, summary.Requests.Successful);
        Assert.Equal(
            Enumerable.Range(0, 4).SelectMany(i => Enumerable.Range(0, 3).Select(t => ($"conv-0-{i}", t))).Order(),
            turns.Seen.Order());
    }

    [Fact]
    public async Task A_datasets_own_conversations_send_its_questions_with_the_servers_answers_not_the_datasets()
    {
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Synchronous, MaxRequests = 3, MaxDuration = TimeSpan.FromSeconds(60),
            Data = new DataSpec(new TokenDistribution(20), new TokenDistribution(6)) { Turns = 5 },
        }.Set(SettingsTable.Dataset, new DatasetSpec { Path = Samples.Path("sharegpt.jsonl") });

        var report = await RunAsync(settings, "share");

        var arrived = Arrived("share").Select(e => e.RequestId).ToList();
        Assert.Equal(["share-0-0", "share-0-1", "share-0-1-t1", "share-0-2", "share-0-2-t1", "share-0-2-t2"], arrived);
        var last = _proxy.Exchanges["share-0-2-t2"];
        var middle = _proxy.Exchanges["share-0-2-t1"];
        Assert.Equal(["user", "assistant", "user", "assistant", "user"], last.Messages.Select(m => m.Role));
        Assert.Equal(middle.Answer, last.Messages[3].Content);
        Assert.Equal("Give me an example.", middle.LastUserText);
        Assert.DoesNotContain(last.Messages, m => m.Content.StartsWith("In short", StringComparison.Ordinal));
        Assert.Equal(2, report.Benchmarks[0].Summary.Turns![1].Requests.Successful);
    }

    [Fact]
    public async Task A_trace_is_replayed_at_its_timestamps_with_its_hash_blocks_shared_and_its_lengths_exact()
    {
        var settings = new BenchmarkSettings { Profile = ProfileKind.Replay, MaxDuration = TimeSpan.FromSeconds(60), RequestTimeout = TimeSpan.FromSeconds(30) }
            .Set(SettingsTable.Dataset, new DatasetSpec { Path = Samples.Path("mooncake-trace.jsonl"), TimeScale = 0.5 });
        var observer = new CapturingObserver();

        var report = await RunAsync(settings, "trace", observer);

        var records = DatasetReader.Open(new DatasetSpec { Path = Samples.Path("mooncake-trace.jsonl") }, new DatasetOpener(), NullLogger.Instance).Pass(0, 0, fileOrder: true, CancellationToken.None).ToList();
        var stage = report.Benchmarks[0];
        Assert.Equal((RunStatus.Completed, "dataset_end", 16L), (report.Status, stage.StopReason, stage.Summary.Requests.Successful));
        var scheduled = observer.Results.OrderBy(r => r.Index).Select(r => r.Scheduled * 1000.0 / TimeProvider.System.TimestampFrequency).ToList();
        var expected = records.Select(r => (r.TimestampMs!.Value - records[0].TimestampMs!.Value) * 0.5).ToList();
        Assert.All(scheduled.Zip(expected), p => Assert.Equal(p.Second, p.First, 0.01));
        Assert.InRange(stage.Summary.DispatchDelayMs.P50, 0, 5);
        Assert.InRange(stage.Summary.DispatchDelayMs.Max, 0, 100);

        var prompts = Arrived("trace").ToDictionary(e => int.Parse(e.RequestId.Split('-')[^1], System.Globalization.CultureInfo.InvariantCulture), e => e.LastUserText);
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(records[i].InputLength, Prompts.CountTokens(prompts[i]));
            Assert.Equal(records[i].OutputTokens, _proxy.Exchanges[$"trace-0-{i}"].Body.RootElement.GetProperty("max_tokens").GetInt32());
            for (var j = 0; j < i; j++)
            {
                var sharedIds = records[i].HashIds!.Zip(records[j].HashIds!).TakeWhile(p => p.First == p.Second).Count();
                var sharedText = prompts[i].Zip(prompts[j]).TakeWhile(p => p.First == p.Second).Count();
                var sharedTokens = Prompts.CountTokens(prompts[i][..sharedText]);
                // Two different blocks may happen to start with the same word or two.
                Assert.InRange(sharedTokens, sharedIds * 512, (sharedIds * 512) + 8);
            }
        }
    }

    [Fact]
    public async Task An_azure_trace_is_replayed_at_its_timestamps()
    {
        var settings = new BenchmarkSettings { Profile = ProfileKind.Replay, MaxDuration = TimeSpan.FromSeconds(60), MaxTokens = 8 }
            .Set(SettingsTable.Dataset, new DatasetSpec { Path = Samples.Path("azure-trace.csv"), TimeScale = 0.25 });
        var observer = new CapturingObserver();

        var report = await RunAsync(settings, "azure", observer);

        Assert.Equal("azure_trace", report.Dataset!.Format);
        var scheduled = observer.Results.OrderBy(r => r.Index).Select(r => r.Scheduled * 1000.0 / TimeProvider.System.TimestampFrequency).ToList();
        Assert.Equal(16, scheduled.Count);
        Assert.Equal(120 * 0.25, scheduled[1], 0.01);
        Assert.Equal((120 + 35 + 400) * 0.25, scheduled[3], 0.01);
        Assert.Equal(374, _proxy.Exchanges["azure-0-0"].LastUserText is { } p ? Prompts.CountTokens(p) : 0);
    }

    [Fact]
    public async Task The_servers_prefix_cache_holds_the_shared_prefixes_and_each_conversations_history()
    {
        var prefix = new BenchmarkSettings
        {
            Profile = ProfileKind.Synchronous, MaxRequests = 8, MaxDuration = TimeSpan.FromSeconds(60),
            Data = new DataSpec(new TokenDistribution(32), new TokenDistribution(4)) { PrefixTokens = 256, PrefixCount = 2 },
        };
        var conversation = new BenchmarkSettings
        {
            Profile = ProfileKind.Synchronous, MaxRequests = 2, MaxDuration = TimeSpan.FromSeconds(60),
            Data = new DataSpec(new TokenDistribution(200), new TokenDistribution(40)) { Turns = 3 },
        };
        var hitsBefore = _server.Metrics.PrefixCacheHits;

        await RunAsync(prefix, "cache");
        await RunAsync(conversation, "history");

        var block = _server.Options.BlockSize;
        var cached = await CachedTokensAsync([.. Enumerable.Range(0, 8).Select(i => $"cache-0-{i}")]);
        Assert.All(cached.Take(2), c => Assert.InRange(c, 0, block));
        Assert.All(cached.Skip(2), c => Assert.InRange(c, 256 - block, 256 + 32));
        var turns = await CachedTokensAsync(["history-0-0", "history-0-0-t1", "history-0-0-t2"]);
        var firstTurn = Prompts.CountTokens(_proxy.Exchanges["history-0-0"].LastUserText);
        var secondTurn = Prompts.CountTokens(string.Join("\n", _proxy.Exchanges["history-0-0-t1"].Messages.Select(m => m.Content)));
        Assert.InRange(turns[0], 0, block);
        Assert.True(turns[1] >= firstTurn - block, $"turn 1 found {turns[1]} of turn 0's {firstTurn} tokens cached");
        Assert.True(turns[2] >= secondTurn - block, $"turn 2 found {turns[2]} of turn 1's {secondTurn} tokens cached");
        Assert.True(_server.Metrics.PrefixCacheHits - hitsBefore >= cached.Skip(2).Sum() + turns.Sum());
    }

    private async Task<int[]> CachedTokensAsync(string[] ids)
    {
        // The server records a request as its stream ends, a moment after the client has read its end.
        for (var i = 0; i < 100 && ids.Any(id => _server.GroundTruth.Find(id) is null); i++)
        {
            await Task.Delay(20);
        }

        return [.. ids.Select(id => _server.GroundTruth.Find(id)!.CachedTokens)];
    }

    private sealed class TurnCapture : IRunObserver
    {
        public ConcurrentQueue<(string, int)> Queue { get; } = new();

        public IEnumerable<(string, int)> Seen => Queue;

        public void OnStageStarted(StageContext stage)
        {
        }

        public void OnRequestStarted(StageContext stage)
        {
        }

        public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase) => Queue.Enqueue((result.ConversationId!, result.Turn!.Value));

        public void OnStageCompleted(StageContext stage, BenchmarkReport report)
        {
        }
    }
}
