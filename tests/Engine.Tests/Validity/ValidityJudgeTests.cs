using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Shards;
using GuidellmFunctions.Engine.Tests.ServerMetrics;
using GuidellmFunctions.Engine.Validity;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Engine.Tests.Validity;

/// <summary>
/// The runner's own validity per stage, judged from measured figures: the probe's thread-pool lateness read on a fake
/// clock, the stage's dispatch delay and the requests it sent against its schedule; each limit crossed is a reason.
/// </summary>
public sealed class ValidityJudgeTests
{
    private static readonly StagePlan Constant = StagePlan.Create(new BenchmarkSettings { Profile = ProfileKind.Constant, Rate = 10, MaxDuration = TimeSpan.FromSeconds(10) }, 0, ProfileKind.Constant);

    [Fact]
    public void A_probe_on_time_measures_no_lag_and_one_run_late_measures_how_late()
    {
        var time = new FakeTimeProvider();
        using var onTime = new RunnerLoadProbe(time, TimeSpan.FromMilliseconds(100));
        onTime.Start();
        for (var i = 0; i < 20; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var calm = onTime.Stop();

        using var starved = new RunnerLoadProbe(time, TimeSpan.FromMilliseconds(100));
        starved.Start();
        foreach (var ms in (int[])[100, 400, 100, 100, 400, 100, 400, 400, 100, 400])
        {
            time.Advance(TimeSpan.FromMilliseconds(ms));
        }

        var busy = starved.Stop();

        Assert.Equal((20L, 0.0, 0.0), (calm.ThreadPoolLag!.Samples, calm.ThreadPoolLag.P95, calm.ThreadPoolLag.Max));
        Assert.Equal(Environment.ProcessorCount, calm.Cores);
        Assert.InRange(calm.ProcessCpuShare!.Value, 0, 1);
        Assert.Equal(10, busy.ThreadPoolLag!.Samples);
        Assert.Equal(300, busy.ThreadPoolLag.Max, 3);
        Assert.InRange(busy.ThreadPoolLag.P95, 299.5, 300.5);
        Assert.Equal(0, busy.ThreadPoolLag.P50, 3);
    }

    [Fact]
    public void A_stage_within_every_limit_is_valid_with_its_figures()
    {
        var validity = ValidityJudge.Judge(Load(cpu: 0.35, lagP95: 3), Stage(sent: 100, dispatchP99: 1.5), Constant, scheduled: 100);

        Assert.True(validity.Valid);
        Assert.Empty(validity.Reasons);
        Assert.Equal((0.35, 100L, 100L, 10.0, 1.5), (validity.ProcessCpuShare!.Value, validity.ScheduledRequests!.Value, validity.SentRequests!.Value, validity.RequestedRate!.Value, validity.DispatchDelayP99Ms!.Value));
        Assert.Equal(10, validity.AchievedRate!.Value, 6);
        Assert.False(validity.ConcurrencyCapReached);
    }

    [Fact]
    public void A_starved_stage_is_not_valid_and_says_why_for_each_limit_crossed()
    {
        var validity = ValidityJudge.Judge(Load(cpu: 0.97, lagP95: 300), Stage(sent: 70, dispatchP99: 85), Constant, scheduled: 100);

        Assert.False(validity.Valid);
        Assert.Equal(["runner_cpu", "thread_pool_lag", "dispatch_delay", "send_rate"], validity.Reasons.Select(r => r[..r.IndexOf(':', StringComparison.Ordinal)]));
        Assert.Contains("the runner's process used 97", validity.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("300 ms late at p95", validity.Reasons[1], StringComparison.Ordinal);
        Assert.Contains("85 ms after their scheduled time at p99", validity.Reasons[2], StringComparison.Ordinal);
        Assert.Contains("sent 70 of the 100 requests its schedule held (70", validity.Reasons[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Lateness_and_fewer_requests_are_the_concurrency_caps_when_it_was_reached_and_are_not_judged()
    {
        var capped = StagePlan.Create(new BenchmarkSettings { Profile = ProfileKind.Constant, Rate = 10, MaxConcurrency = 4, MaxDuration = TimeSpan.FromSeconds(10) }, 0, ProfileKind.Constant);

        var validity = ValidityJudge.Judge(Load(cpu: 0.2, lagP95: 2), Stage(sent: 40, dispatchP99: 900, concurrencyMax: 4), capped, scheduled: 100);

        Assert.True(validity.Valid, string.Join("; ", validity.Reasons));
        Assert.True(validity.ConcurrencyCapReached);
    }

    [Fact]
    public void A_closed_loop_stage_has_no_schedule_to_keep()
    {
        var concurrent = StagePlan.Create(new BenchmarkSettings { Profile = ProfileKind.Concurrent, Rate = 8, MaxDuration = TimeSpan.FromSeconds(10) }, 0, ProfileKind.Concurrent);

        var validity = ValidityJudge.Judge(Load(cpu: 0.2, lagP95: 2), Stage(sent: 40, dispatchP99: 500), concurrent, ValidityJudge.Scheduled(concurrent, Target(new BenchmarkSettings())));

        Assert.True(validity.Valid);
        Assert.Null(validity.ScheduledRequests);
        Assert.Null(validity.RequestedRate);
    }

    [Fact]
    public void The_schedule_holds_the_requests_due_before_the_stages_end_and_its_max_requests()
    {
        Assert.Equal(100, ValidityJudge.Scheduled(Constant, Target(new BenchmarkSettings())));
        var capped = StagePlan.Create(new BenchmarkSettings { Profile = ProfileKind.Constant, Rate = 10, MaxRequests = 30, MaxDuration = TimeSpan.FromSeconds(10) }, 0, ProfileKind.Constant);
        Assert.Equal(30, ValidityJudge.Scheduled(capped, Target(new BenchmarkSettings())));
    }

    [Fact]
    public void A_constant_shard_is_judged_against_its_own_phase_of_the_runs_schedule()
    {
        // 1 request/s for 10 s split in 3: shard 1 is due at 0, 3, 6, 9 s, shard 2 at 1, 4, 7 s, shard 3 at 2, 5, 8 s.
        var run = new BenchmarkSettings { Profile = ProfileKind.Constant, Rate = 1, MaxDuration = TimeSpan.FromSeconds(10) };
        var startAt = new DateTimeOffset(2026, 12, 3, 19, 0, 0, TimeSpan.Zero);
        var shards = Enumerable.Range(1, 3).Select(i =>
        {
            var shard = ShardPlanner.Assign(Target(run), new ShardAssignment(i, 3, startAt, TimeSpan.Zero));
            var plan = StagePlan.Create(shard.Settings, 0, ProfileKind.Constant);
            return (Plan: plan, Scheduled: ValidityJudge.Scheduled(plan, shard));
        }).ToList();

        var third = ValidityJudge.Judge(Load(cpu: 0.2, lagP95: 2), Stage(sent: 3, dispatchP99: 1), shards[2].Plan, shards[2].Scheduled);

        Assert.Equal([4L, 3L, 3L], shards.Select(s => s.Scheduled!.Value));
        Assert.Equal(ValidityJudge.Scheduled(StagePlan.Create(run, 0, ProfileKind.Constant), Target(run)), shards.Sum(s => s.Scheduled));
        Assert.True(third.Valid, string.Join("; ", third.Reasons));
        Assert.Equal(3, third.ScheduledRequests);
    }

    private static ResolvedTarget Target(BenchmarkSettings settings) =>
        new("it", new TargetConfig { Name = "sim", Url = new Uri("http://127.0.0.1:9/v1"), Model = "m" }, settings);

    private static ProcessLoadFigures Load(double cpu, double lagP95) =>
        new(cpu, null, 2, new LagSummary(100, lagP95 / 2, lagP95, lagP95, lagP95));

    private static BenchmarkReport Stage(long sent, double dispatchP99, int concurrencyMax = 2) => new()
    {
        Profile = new ProfileReport("constant", 10, null, null, 10, null, 0, 0),
        StopReason = "max_seconds",
        DurationSeconds = 10,
        Summary = ServerFiguresTests.Summary(DistributionSummary.Empty) with
        {
            Requests = new RequestCounts(sent, sent, 0, 0),
            DispatchDelayMs = new DistributionSummary(sent, dispatchP99 / 2, 0, dispatchP99, 1, dispatchP99 / 4, dispatchP99 / 2, dispatchP99 / 2, dispatchP99, dispatchP99),
            Concurrency = new ConcurrencySummary(1.5, concurrencyMax),
        },
    };
}
