using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Runs;
using GuidellmFunctions.Engine.Shards;

namespace GuidellmFunctions.Engine.Tests.Shards;

public sealed class ShardPlannerTests
{
    private static readonly RunnerConfig Config = new ConfigLoader(_ => null).LoadText(
        """
        environments:
          staging:
            targets:
              - { name: llama, url: "http://127.0.0.1:1/v1", model: m, profile: concurrent, rate: 10 }
              - { name: open, url: "http://127.0.0.1:2/v1", model: n, profile: poisson, rate: 9, max_requests: 100, max_concurrency: 5 }
              - { name: steady, url: "http://127.0.0.1:3/v1", model: n, profile: constant, rate: 9, max_concurrency: 1 }
              - { name: sweep, url: "http://127.0.0.1:4/v1", model: n, profile: sweep }
        defaults:
          max_seconds: 30
          data_spec: "prompt_tokens=16,output_tokens=8"
        """, "c.yaml");

    private static BenchmarkSettings Settings(string target) => Config.ResolveTargets("staging", [target], null).Single().Settings;

    [Fact]
    public void Streams_split_with_the_remainder_spread_over_the_first_shards_and_every_shard_gets_its_own_seed()
    {
        var shares = Enumerable.Range(1, 3).Select(i => ShardPlanner.Share(Settings("llama"), i, 3)).ToList();

        Assert.Equal([4.0, 3.0, 3.0], shares.Select(s => s.Rate));
        Assert.Equal(3, shares.Select(s => s.Seed).Distinct().Count());
        Assert.DoesNotContain(Settings("llama").Seed, shares.Select(s => s.Seed));
    }

    [Fact]
    public void An_open_loop_rate_is_divided_and_max_requests_and_max_concurrency_split_to_the_same_totals()
    {
        var shares = Enumerable.Range(1, 4).Select(i => ShardPlanner.Share(Settings("open"), i, 4)).ToList();

        Assert.All(shares, s => Assert.Equal(9 / 4.0, s.Rate));
        Assert.Equal(100, shares.Sum(s => s.MaxRequests));
        Assert.Equal(5, shares.Sum(s => s.MaxConcurrency));
        Assert.Equal([2, 1, 1, 1], shares.Select(s => s.MaxConcurrency));
    }

    [Theory]
    [InlineData("llama", 11, "10 streams cannot be split into 11 shards (fewer streams than shards)")]
    [InlineData("open", 6, "max_concurrency 5 cannot be split into 6 shards")]
    [InlineData("steady", 2, "max_concurrency 1 cannot be split into 2 shards")]
    [InlineData("sweep", 2, "profile sweep cannot be sharded (only concurrent, throughput, poisson and constant split into shares of one run)")]
    [InlineData("llama", 0, "shards must be 1 to 100, not 0")]
    [InlineData("llama", 101, "shards must be 1 to 100, not 101")]
    public void A_load_that_cannot_be_split_is_refused_with_the_reason(string target, int shards, string reason)
    {
        Assert.StartsWith(reason, ShardPlanner.Refusal(Settings(target), shards), StringComparison.Ordinal);
    }

    [Fact]
    public void A_shard_message_is_refused_against_the_config_with_every_reason_and_its_fields_are_checked()
    {
        var startAt = new DateTimeOffset(2026, 12, 3, 16, 0, 0, TimeSpan.Zero);
        var ok = RunRequestParser.Parse(ShardMessages.Shard("""{"runId":"r","environment":"staging","targets":["llama"]}""", 2, 3, startAt), Config, "m", out var none);
        Assert.Null(none);
        Assert.Equal((3, 2, startAt), (ok!.Shards, ok.Shard, ok.StartAt!.Value));

        Assert.Null(RunRequestParser.Parse("""{"environment":"staging","targets":["llama"],"shards":11}""", Config, "m", out var fewer));
        Assert.Equal("staging/llama: 10 streams cannot be split into 11 shards (fewer streams than shards)", fewer);
        Assert.Null(RunRequestParser.Parse("""{"environment":"staging","shards":0,"shard":4,"startAt":"soon"}""", Config, "m", out var bad));
        Assert.Contains("shards must be a whole number from 1 to 100, not 0", bad, StringComparison.Ordinal);
        Assert.Contains("startAt must be an ISO 8601 date and time", bad, StringComparison.Ordinal);
        Assert.Contains("shard 4 needs shards of at least 4", bad, StringComparison.Ordinal);
    }

    [Fact]
    public void The_late_check_comes_after_the_longest_planned_stage_and_the_grace()
    {
        var startAt = new DateTimeOffset(2026, 12, 3, 16, 0, 0, TimeSpan.Zero);
        var request = RunRequestParser.Parse("""{"environment":"staging","targets":["llama"],"shards":2}""", Config, "m", out _)!;

        Assert.Equal(startAt + TimeSpan.FromSeconds(30) + ShardMessages.Grace, ShardMessages.CheckAt(request, Config.ResolveTargets("staging", ["llama"], null), startAt));

        // Without the config (enqueue without --config) the defaults stand in; the handler, with the config, posts the check again if early.
        Assert.Equal(startAt + (new BenchmarkSettings().MaxDuration ?? ShardMessages.UnboundedRun) + ShardMessages.Grace, ShardMessages.CheckAt(request, null, startAt));
    }
}
