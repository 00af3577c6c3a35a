using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Load;

/// <summary>
/// The stage's aggregation on hand-made results, on a clock of 1000 ticks per second (a tick is a millisecond): a
/// 10 s stage with 2 s of warmup and 2 s of cooldown measures [2 s, 8 s].
/// </summary>
public sealed class StageCollectorTests
{
    private const long Frequency = 1000;
    private const long Start = 50_000;

    private readonly CapturingObserver _observer = new();

    private static long At(double seconds) => Start + (long)(seconds * Frequency);

    private StageCollector Collector(double warmup = 2, double cooldown = 2)
    {
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Constant, Rate = 10, MaxDuration = TimeSpan.FromSeconds(10),
            Warmup = TimeSpan.FromSeconds(warmup), Cooldown = TimeSpan.FromSeconds(cooldown),
        };
        var target = new ResolvedTarget("test", new TargetConfig { Name = "t", Url = new Uri("http://127.0.0.1:1/v1"), Model = "m" }, settings);
        var stage = new StageContext("run", target, StagePlan.Create(settings, 0, ProfileKind.Constant), Start, () => 0);
        return new StageCollector(stage, Frequency, [_observer]);
    }

    private static RequestResult Ok(long index, double sent, double end, int outputTokens = 4, bool usage = true)
    {
        var result = new RequestResult
        {
            Index = index,
            RequestId = $"r-{index}",
            ScheduledTimestamp = At(sent),
            SentTimestamp = At(sent),
            FirstContentTimestamp = At(sent + 0.1),
            LastContentTimestamp = At(end),
            EndTimestamp = At(end),
            TimestampFrequency = Frequency,
            PromptTokensTarget = 10,
            OutputTokensTarget = outputTokens,
            ContentChunks = outputTokens,
            UsageOutputTokens = usage ? outputTokens : -1,
            Status = RequestStatus.Successful,
        };
        for (var i = 1; i < outputTokens; i++)
        {
            result.AddGap((At(end) - At(sent + 0.1)) / (outputTokens - 1));
        }

        return result;
    }

    private static RequestResult Failed(long index, double sent, FailureReason reason) => new()
    {
        Index = index,
        RequestId = $"r-{index}",
        ScheduledTimestamp = At(sent),
        SentTimestamp = At(sent),
        EndTimestamp = At(sent + 0.05),
        TimestampFrequency = Frequency,
        Status = RequestStatus.Failed,
        Reason = reason,
    };

    private static ConcurrencyTracker Idle() => new(Start, Frequency);

    [Fact]
    public void Requests_sent_before_the_warmup_ends_are_left_out_and_one_sent_at_its_end_counts()
    {
        var collector = Collector(cooldown: 0);

        collector.Add(Ok(0, 1.9, 2.5), At(2.5));
        collector.Add(Ok(1, 2.0, 2.6), At(2.6));
        var summary = collector.Complete(At(10), Idle());

        Assert.Equal(new RequestCounts(1, 1, 0, 0, ExcludedWarmup: 1, ExcludedCooldown: 0), summary.Requests);
        Assert.Equal([(0L, RequestPhase.Warmup), (1L, RequestPhase.Measured)], _observer.Results.Select(r => (r.Index, r.Phase)));
        Assert.Equal(8.0, collector.MeasuredSeconds(At(10)), 9);
    }

    [Fact]
    public void Requests_ending_in_the_cooldown_are_left_out_once_the_end_is_known_and_older_ones_are_committed_on_the_way()
    {
        var collector = Collector();

        collector.Add(Ok(0, 3, 3.5), At(3.5));
        Assert.Empty(_observer.Results);
        collector.Add(Ok(1, 7.5, 8.0), At(8.0));
        Assert.Equal([0L], _observer.Results.Select(r => r.Index));
        collector.Add(Ok(2, 7.9, 8.2), At(8.2));
        collector.Add(Ok(3, 9.0, 9.5), At(9.5));
        Assert.Equal([0L], _observer.Results.Select(r => r.Index));

        var summary = collector.Complete(At(10), Idle());

        Assert.Equal(new RequestCounts(2, 2, 0, 0, ExcludedWarmup: 0, ExcludedCooldown: 2), summary.Requests);
        Assert.Equal([(0L, RequestPhase.Measured), (1L, RequestPhase.Measured), (2L, RequestPhase.Cooldown), (3L, RequestPhase.Cooldown)], _observer.Results.Select(r => (r.Index, r.Phase)));
        Assert.Equal(2 / 6.0, summary.Throughput.RequestsPerSecond, 9);
        Assert.Equal(8 / 6.0, summary.Throughput.OutputTokensPerSecond, 9);
        Assert.Equal(28 / 6.0, summary.Throughput.TotalTokensPerSecond, 9);
    }

    [Fact]
    public void Incomplete_requests_count_in_the_window_but_in_no_latency()
    {
        var collector = Collector();
        var incomplete = new RequestResult
        {
            Index = 1, RequestId = "r-1", ScheduledTimestamp = At(9.9), SentTimestamp = At(9.9), EndTimestamp = At(10), TimestampFrequency = Frequency,
            Status = RequestStatus.Incomplete, FirstContentTimestamp = At(9.95),
        };

        collector.Add(Ok(0, 3, 4), At(4));
        collector.Add(incomplete, At(10));
        var summary = collector.Complete(At(10), Idle());

        Assert.Equal(new RequestCounts(2, 1, 0, 1), summary.Requests);
        Assert.Equal(1, summary.TtftMs.Count);
        Assert.Equal(1, summary.E2eLatencyMs.Count);
        Assert.Equal(2, summary.DispatchDelayMs.Count);
        Assert.Contains(_observer.Results, r => r is { Index: 1, Phase: RequestPhase.Measured, Status: RequestStatus.Incomplete });
    }

    [Fact]
    public void Failures_are_counted_by_reason_in_the_window_and_all_of_them_for_max_errors()
    {
        var collector = Collector(cooldown: 0);

        collector.Add(Failed(0, 1.0, FailureReason.Connection), At(1.1));
        collector.Add(Failed(1, 3.0, FailureReason.Http5xx), At(3.1));
        collector.Add(Failed(2, 3.1, FailureReason.Http5xx), At(3.2));
        collector.Add(Failed(3, 3.2, FailureReason.Timeout), At(3.3));
        collector.Add(Ok(4, 3.3, 3.6), At(3.6));
        var summary = collector.Complete(At(10), Idle());

        Assert.Equal(4, collector.Failures);
        Assert.Equal(new RequestCounts(4, 1, 3, 0, ExcludedWarmup: 1), summary.Requests);
        Assert.Equal(new Dictionary<string, long> { ["http_5xx"] = 2, ["timeout"] = 1 }, summary.Errors);
        Assert.Equal(1, summary.TtftMs.Count);
    }

    [Fact]
    public void Latencies_tokens_and_their_source_come_from_the_successful_requests_of_the_window()
    {
        var collector = Collector(cooldown: 0);
        var first = Ok(0, 3, 3.4, outputTokens: 5);
        var second = Ok(1, 4, 4.9, outputTokens: 3, usage: false);

        collector.Add(first, At(3.4));
        collector.Add(second, At(4.9));
        var summary = collector.Complete(At(10), Idle());

        Assert.Equal(100, summary.TtftMs.Min, 9);
        Assert.Equal(900, summary.E2eLatencyMs.Max, 9);
        Assert.Equal(6, summary.ItlMs.Count);
        Assert.Equal(75, summary.ItlMs.Min, 0);
        Assert.Equal(400, summary.ItlMs.Max, 0);
        Assert.Equal(2, summary.TpotMs.Count);
        Assert.Equal(new TokenCounts(20, 8, "mixed", 20, 8), summary.Tokens);
        Assert.Equal(0, first.ItlCount);
        Assert.Equal(0, second.ItlCount);
    }

    [Fact]
    public void Concurrency_is_measured_over_the_window_only()
    {
        var collector = Collector();
        var concurrency = Idle();
        concurrency.Increment(At(0.5));
        concurrency.Increment(At(0.6));
        concurrency.Increment(At(0.7));
        concurrency.Decrement(At(1.0));
        concurrency.Decrement(At(1.0));
        concurrency.Decrement(At(1.0));
        concurrency.Increment(At(2.0));
        concurrency.Increment(At(5.0));
        concurrency.Decrement(At(8.0));
        concurrency.Decrement(At(8.0));

        var summary = collector.Complete(At(10), concurrency);

        Assert.Equal(2, summary.Concurrency.Max);
        Assert.Equal(1.5, summary.Concurrency.Mean, 6);
        Assert.Equal(new TokenCounts(0, 0, "none", 0, 0), summary.Tokens);
    }
}
