using System.Net;
using System.Text;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Engine.Tests.Load;

/// <summary>Schedules and stop conditions, on a fake clock: every send time is checked exactly.</summary>
public sealed class StageRunnerTests
{
    private static readonly Uri Endpoint = new("http://127.0.0.1:9/v1/chat/completions");
    private static readonly byte[] QuickStream = Encoding.UTF8.GetBytes(
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n" +
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n\n" +
        "data: [DONE]\n\n");

    private int _sends;

    private ScriptedHandler Hanging() => new(async (_, ct) =>
    {
        Interlocked.Increment(ref _sends);
        await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        throw new InvalidOperationException("unreachable");
    });

    /// <summary>Answers at once, but its body is read on another thread, as a network read would complete.</summary>
    private ScriptedHandler Quick() => new((_, _) =>
    {
        Interlocked.Increment(ref _sends);
        return Task.FromResult(ScriptedHandler.Reply(HttpStatusCode.OK, new StreamContent(new YieldingStream(QuickStream)), "text/event-stream"));
    });

    private static (StageRunner Runner, HttpClient Http) Create(HttpMessageHandler handler, TimeProvider time)
    {
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        return (new StageRunner(new RequestExecutor(new OpenAiStreamingClient(http, time), time), time), http);
    }

    private static ResolvedTarget Target(BenchmarkSettings settings) =>
        new("test", new TargetConfig { Name = "t", Url = Endpoint, Model = "m" }, settings);

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(1);
        }
    }

    /// <summary>
    /// Advances the fake clock to each offset in turn, after the expected number of sends has happened and, when
    /// <paramref name="settled"/> is given, once it holds: for requests that answer at once, once the stage has every
    /// sent request back (its end stamped and handed to the collector), so a request sent just before a phase boundary
    /// ends before the clock passes it. The test of warmup and cooldown flaked while the clock could run ahead of them.
    /// </summary>
    private async Task Drive(FakeTimeProvider time, IEnumerable<(TimeSpan At, int SendsBefore)> steps, Func<bool>? settled = null)
    {
        var now = TimeSpan.Zero;
        foreach (var (at, sends) in steps)
        {
            await WaitFor(() => Volatile.Read(ref _sends) >= sends && (settled is null || settled()));
            time.Advance(at - now);
            now = at;
        }
    }

    [Fact]
    public async Task Constant_arrivals_are_sent_on_schedule_while_responses_hang_and_end_incomplete()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var (runner, http) = Create(Hanging(), time);
        using var _ = http;
        var settings = new BenchmarkSettings { Profile = ProfileKind.Constant, Rate = 10, MaxDuration = TimeSpan.FromSeconds(2) };
        var observer = new CapturingObserver();

        var run = runner.RunAsync("run", Target(settings), StagePlan.Create(settings, 0, ProfileKind.Constant), new FixedRequestSource(Endpoint), [observer], CancellationToken.None);
        await Drive(time, Enumerable.Range(1, 20).Select(i => (TimeSpan.FromMilliseconds(100 * i), i)));
        var report = await run;

        var ms = (double)time.TimestampFrequency / 1000;
        var results = observer.Results.OrderBy(r => r.Index).ToList();
        Assert.Equal(20, results.Count);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(100 * i, results[i].Scheduled / ms, 6);
            Assert.Equal(results[i].Scheduled, results[i].Sent);
            Assert.Equal(RequestStatus.Incomplete, results[i].Status);
        }

        Assert.Equal("max_seconds", report.StopReason);
        Assert.Equal(new RequestCounts(20, 0, 0, 20), report.Summary.Requests);
        Assert.Equal(0, report.Summary.DispatchDelayMs.Max);
        Assert.Equal(20, report.Summary.Concurrency.Max);
        Assert.Equal(2.0, report.DurationSeconds, 6);
    }

    [Fact]
    public async Task Poisson_arrivals_follow_the_seeded_schedule()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var (runner, http) = Create(Hanging(), time);
        using var _ = http;
        var settings = new BenchmarkSettings { Profile = ProfileKind.Poisson, Rate = 20, MaxDuration = null, MaxRequests = 50, Seed = 5 };
        var plan = StagePlan.Create(settings, 0, ProfileKind.Poisson);
        var expected = new PoissonArrivals(20, plan.Seed);
        var offsets = Enumerable.Range(0, 50).Select(_ => expected.Next()).ToList();
        var observer = new CapturingObserver();
        using var cancel = new CancellationTokenSource();

        var run = runner.RunAsync("run", Target(settings), plan, new FixedRequestSource(Endpoint), [observer], cancel.Token);
        await Drive(time, offsets.Skip(1).Select((at, i) => (at, i + 1)));
        await WaitFor(() => Volatile.Read(ref _sends) == 50);
        await cancel.CancelAsync();
        var report = await run;

        var results = observer.Results.OrderBy(r => r.Index).ToList();
        Assert.Equal(50, results.Count);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(offsets[i].Ticks * time.TimestampFrequency / TimeSpan.TicksPerSecond, results[i].Scheduled);
            Assert.Equal(results[i].Scheduled, results[i].Sent);
        }

        Assert.Equal("cancelled", report.StopReason);
        Assert.Equal(50, report.Summary.Requests.Incomplete);
    }

    [Fact]
    public async Task Concurrent_streams_are_capped_and_stop_at_max_requests()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        var handler = new ScriptedHandler(async (_, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            await Task.Yield();
            Interlocked.Decrement(ref inFlight);
            return ScriptedHandler.Reply(HttpStatusCode.OK, new ByteArrayContent(QuickStream), "text/event-stream");
        });
        var (runner, http) = Create(handler, TimeProvider.System);
        using var _ = http;
        var settings = new BenchmarkSettings { Profile = ProfileKind.Concurrent, Rate = 4, MaxDuration = TimeSpan.FromMinutes(5), MaxRequests = 200 };

        var report = await runner.RunAsync("run", Target(settings), StagePlan.Create(settings, 0, ProfileKind.Concurrent), new FixedRequestSource(Endpoint), [], CancellationToken.None);

        Assert.Equal("max_requests", report.StopReason);
        Assert.Equal(new RequestCounts(200, 200, 0, 0), report.Summary.Requests);
        Assert.InRange(maxInFlight, 1, 4);
        Assert.Equal(400, report.Summary.Tokens.Output);
        Assert.Equal("usage", report.Summary.Tokens.OutputSource);
        Assert.Equal(200, report.Summary.ItlMs.Count);
        Assert.Equal(4, report.Profile.Streams);
    }

    [Fact]
    public async Task Max_errors_stops_the_stage_early()
    {
        var handler = new ScriptedHandler((_, _) =>
        {
            Interlocked.Increment(ref _sends);
            return Task.FromResult(ScriptedHandler.Reply(HttpStatusCode.InternalServerError, new StringContent("boom"), "text/plain"));
        });
        var (runner, http) = Create(handler, TimeProvider.System);
        using var _ = http;
        var settings = new BenchmarkSettings { Profile = ProfileKind.Concurrent, Rate = 2, MaxDuration = TimeSpan.FromMinutes(5), MaxRequests = 10_000, MaxErrors = 5 };

        var report = await runner.RunAsync("run", Target(settings), StagePlan.Create(settings, 0, ProfileKind.Concurrent), new FixedRequestSource(Endpoint), [], CancellationToken.None);

        Assert.Equal("max_errors", report.StopReason);
        Assert.InRange(report.Summary.Requests.Failed, 5, 7);
        Assert.Equal(report.Summary.Requests.Failed, report.Summary.Errors["http_5xx"]);
        Assert.True(_sends < 20);
    }

    [Fact]
    public async Task Warmup_and_cooldown_are_excluded_from_the_window()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var (runner, http) = Create(Quick(), time);
        using var _ = http;
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Constant, Rate = 10, MaxDuration = TimeSpan.FromSeconds(10),
            Warmup = TimeSpan.FromSeconds(2), Cooldown = TimeSpan.FromSeconds(2),
        };
        var observer = new CapturingObserver();
        var stage = new StageWatcher();

        var run = runner.RunAsync("run", Target(settings), StagePlan.Create(settings, 0, ProfileKind.Constant), new FixedRequestSource(Endpoint), [observer, stage], CancellationToken.None);
        await Drive(time, Enumerable.Range(1, 100).Select(i => (TimeSpan.FromMilliseconds(100 * i), i)), () => stage.Idle);
        var report = await run;

        Assert.Equal(new RequestCounts(61, 61, 0, 0, ExcludedWarmup: 20, ExcludedCooldown: 19), report.Summary.Requests);
        Assert.Equal(6.0, report.MeasuredSeconds, 6);
        Assert.Equal(61 / 6.0, report.Summary.Throughput.RequestsPerSecond, 6);
        Assert.Equal(20, observer.Results.Count(r => r.Phase == RequestPhase.Warmup));
        Assert.Equal(19, observer.Results.Count(r => r.Phase == RequestPhase.Cooldown));
    }

    [Fact]
    public async Task Timeouts_fail_the_request_while_the_stage_end_makes_it_incomplete()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var (runner, http) = Create(Hanging(), time);
        using var _ = http;
        var settings = new BenchmarkSettings { Profile = ProfileKind.Constant, Rate = 1, MaxDuration = TimeSpan.FromSeconds(10), RequestTimeout = TimeSpan.FromSeconds(2.5) };

        var run = runner.RunAsync("run", Target(settings), StagePlan.Create(settings, 0, ProfileKind.Constant), new FixedRequestSource(Endpoint), [], CancellationToken.None);
        await Drive(time, Enumerable.Range(1, 20).Select(i => (TimeSpan.FromMilliseconds(500 * i), (i + 1) / 2)));
        var report = await run;

        Assert.Equal(new RequestCounts(10, 0, 8, 2), report.Summary.Requests);
        Assert.Equal(8, report.Summary.Errors["timeout"]);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) != current)
        {
            current = Volatile.Read(ref target);
        }
    }

    /// <summary>A body whose reads complete after yielding the thread.</summary>
    private sealed class YieldingStream(byte[] content) : MemoryStream(content, writable: false)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return await base.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <summary>The running stage's own count of requests in flight: zero once every request sent has come back to it.</summary>
    private sealed class StageWatcher : IRunObserver
    {
        private StageContext? _stage;

        public bool Idle => Volatile.Read(ref _stage) is { } stage && stage.InFlight() == 0;

        public void OnStageStarted(StageContext stage) => Volatile.Write(ref _stage, stage);

        public void OnRequestStarted(StageContext stage)
        {
        }

        public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase)
        {
        }

        public void OnStageCompleted(StageContext stage, BenchmarkReport report)
        {
        }
    }
}
