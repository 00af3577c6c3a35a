using System.Text.Json;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Shards;
using GuidellmFunctions.Engine.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Tests.Shards;

/// <summary>What the shards of one run send together: the full constant schedule, and every dataset record once.</summary>
public sealed class ShardShareTests
{
    private static readonly DateTimeOffset StartAt = new(2026, 12, 3, 17, 0, 0, TimeSpan.Zero);

    private static ShardAssignment Shard(int index, int count) => new(index, count, StartAt, TimeSpan.Zero);

    private static ResolvedTarget Target(BenchmarkSettings settings, ShardAssignment? shard) =>
        new("it", new TargetConfig { Name = "sim", Url = new Uri("http://127.0.0.1:9/v1"), Model = "m" }, settings) { Shard = shard };

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void The_shards_constant_arrivals_interleave_into_the_full_schedule(int count)
    {
        var settings = new BenchmarkSettings { Profile = ProfileKind.Constant, Rate = 12, MaxRequests = 50, MaxDuration = TimeSpan.FromSeconds(30) };
        var full = ArrivalSchedules.For(StagePlan.Create(settings, 0, ProfileKind.Constant), settings, null!);
        var expected = Enumerable.Range(0, 50).Select(_ => full.Next()).ToList();

        var union = Enumerable.Range(1, count).SelectMany(i =>
        {
            var share = ShardPlanner.Share(settings, i, count);
            var schedule = ArrivalSchedules.For(StagePlan.Create(share, 0, ProfileKind.Constant), share, null!, Shard(i, count));
            return Enumerable.Range(0, share.MaxRequests!.Value).Select(_ => schedule.Next());
        }).Order().ToList();

        Assert.Equal(50, union.Count);
        Assert.All(expected.Zip(union), p => Assert.InRange(Math.Abs((p.First - p.Second).Ticks), 0, 1));
    }

    [Theory]
    [InlineData(DatasetOrder.Sequential)]
    [InlineData(DatasetOrder.Shuffle)]
    public void The_shards_of_a_dataset_run_send_each_record_once_and_together_what_one_run_sends(DatasetOrder order)
    {
        var settings = new BenchmarkSettings { Profile = ProfileKind.Concurrent, Rate = 3, MaxRequests = 10, Seed = 11 }
            .Set(SettingsTable.Dataset, new DatasetSpec { Path = Samples.Path("plain.jsonl"), Order = order });
        var whole = Prompts(Target(settings, null), 10);

        var shards = Enumerable.Range(1, 3).Select(i => Prompts(Target(ShardPlanner.Share(settings, i, 3), Shard(i, 3)), ShardPlanner.Split(10, i, 3))).ToList();

        Assert.Equal(10, whole.Distinct().Count());
        Assert.Equal([4, 3, 3], shards.Select(s => s.Count));
        Assert.Equal(whole.Order(), shards.SelectMany(s => s).Order());
        Assert.Equal([whole[0], whole[3], whole[6], whole[9]], shards[0]);
        Assert.Equal([whole[1], whole[4], whole[7]], shards[1]);
    }

    private static List<string> Prompts(ResolvedTarget target, int count)
    {
        using var source = DatasetRequestSource.Open(target, new PromptGenerator(), "r", new DatasetOpener(), NullLogger.Instance);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            using var body = JsonDocument.Parse(source.Prepare(0, i).Request.Body);
            var messages = body.RootElement.GetProperty("messages");
            return messages[messages.GetArrayLength() - 1].GetProperty("content").GetString()!;
        })];
    }
}
