using GuidellmFunctions.Engine.Capacity;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Engine.Tests.Capacity;

/// <summary>The over-saturation stop on a fake clock, fed the signals of servers that keep up and servers that do not.</summary>
public sealed class OverSaturationDetectorTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly List<(string Reason, string Detail)> _stops = [];
    private int _inFlight;

    private (OverSaturationDetector Detector, StageContext Stage) Start(ProfileKind kind, double load)
    {
        var settings = new BenchmarkSettings { Profile = kind, Rate = load, MaxDuration = TimeSpan.FromSeconds(30) };
        var plan = StagePlan.Create(settings, 0, kind, load);
        var target = new ResolvedTarget("t", new TargetConfig { Name = "t", Url = new Uri("http://127.0.0.1:1/v1"), Model = "m" }, settings);
        var stage = new StageContext("run", target, plan, _time.GetTimestamp(), () => _inFlight, (reason, detail) => _stops.Add((reason, detail)));
        var detector = new OverSaturationDetector(_time, OverSaturationDetector.MinimumFor(plan.MaxDuration));
        detector.OnStageStarted(stage);
        return (detector, stage);
    }

    private RequestResult Completed(double ttftMs, double lateMs)
    {
        var now = _time.GetTimestamp();
        var perMs = _time.TimestampFrequency / 1000.0;
        var sent = now - (long)((ttftMs + 50) * perMs);
        var result = new RequestResult { RequestId = "r", TimestampFrequency = _time.TimestampFrequency, ScheduledTimestamp = sent - (long)(lateMs * perMs), Status = RequestStatus.Successful, UsageOutputTokens = 8 };
        result.SentTimestamp = sent;
        result.FirstContentTimestamp = sent + (long)(ttftMs * perMs);
        result.LastContentTimestamp = now;
        result.EndTimestamp = now;
        return result;
    }

    /// <summary>Runs 30 s in 20 ms steps: each step one request starts with <paramref name="inFlight"/> in flight and one completes with its TTFT and lateness; returns the elapsed seconds at the stop, or null.</summary>
    private double? Drive(OverSaturationDetector detector, StageContext stage, Func<double, int> inFlight, Func<double, double> ttft, Func<double, double> late)
    {
        for (var step = 0; step < 1500; step++)
        {
            var t = step * 0.02;
            _time.Advance(TimeSpan.FromMilliseconds(20));
            _inFlight = inFlight(t);
            detector.OnRequestStarted(stage);
            detector.OnRequestCompleted(stage, Completed(ttft(t), late(t)), RequestPhase.Measured);
            if (_stops.Count > 0)
            {
                return (step + 1) * 0.02;
            }
        }

        return null;
    }

    [Fact]
    public void An_open_loop_whose_requests_pile_up_while_ttft_rises_is_stopped_after_the_minimum_time_saying_why()
    {
        var (detector, stage) = Start(ProfileKind.Constant, 20);
        var noise = new Random(1);

        var stoppedAt = Drive(detector, stage, t => (int)(10 * t) + noise.Next(3), t => 100 + (1000 * t) + noise.Next(50), _ => 0);

        Assert.NotNull(stoppedAt);
        Assert.InRange(stoppedAt.Value, detector.MinimumSeconds, detector.MinimumSeconds + 1);
        var (reason, detail) = Assert.Single(_stops);
        Assert.Equal("over_saturation", reason);
        Assert.Contains("requests in flight rose from", detail, StringComparison.Ordinal);
        Assert.Contains("and TTFT from", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_that_keeps_up_is_never_stopped_however_noisy()
    {
        var (detector, stage) = Start(ProfileKind.Constant, 5);
        var noise = new Random(2);

        Assert.Null(Drive(detector, stage, _ => 1 + noise.Next(4), _ => 80 + noise.Next(200), _ => noise.Next(3)));
        Assert.Empty(_stops);
    }

    [Fact]
    public void A_capped_open_loop_falling_ever_further_behind_its_schedule_is_stopped()
    {
        var (detector, stage) = Start(ProfileKind.Constant, 50);
        var noise = new Random(3);

        var stoppedAt = Drive(detector, stage, _ => 8, _ => 200 + noise.Next(20), t => 400 * t);

        Assert.NotNull(stoppedAt);
        Assert.Contains("falling behind its schedule", Assert.Single(_stops).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_closed_loop_cannot_pile_requests_up_so_a_rising_ttft_alone_does_not_stop_it()
    {
        var (detector, stage) = Start(ProfileKind.Concurrent, 8);

        Assert.Null(Drive(detector, stage, _ => 8, t => 100 + (50 * t), _ => 0));
    }

    [Fact]
    public void A_ramp_up_settling_within_the_first_seconds_is_not_taken_for_saturation()
    {
        var (detector, stage) = Start(ProfileKind.Constant, 20);
        var noise = new Random(4);

        Assert.Null(Drive(detector, stage, t => (int)(Math.Min(t, 2) * 5) + noise.Next(2), t => (Math.Min(t, 2) * 200) + 50 + noise.Next(20), _ => 0));
    }
}
