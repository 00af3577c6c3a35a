using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Engine.Validity;
using GuidellmFunctions.Simulator;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Tests.Validity;

/// <summary>
/// A real stage on a runner whose thread pool is held for most of the stage is judged not valid, saying so; the same
/// stage on a free pool is valid. The starvation is made certain, not likely: every pool thread, and every thread the
/// pool adds meanwhile, is held until a deadline 2 s into the stage, so each of the probe's ticks in that time waits
/// for the pool to add a thread (about every 500 ms when no work completes: ten times the 50 ms limit). The healthy stage is closed-loop, so only the runner's CPU and the pool's lateness are judged,
/// both far within their limits on an idle pool (run alone, in the timing collection).
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class StarvedRunnerTests : IDisposable
{
    private static readonly TimeSpan Held = TimeSpan.FromSeconds(2);

    private readonly TargetTransportFactory _transports = new();

    public void Dispose() => _transports.Dispose();

    [Fact]
    public async Task A_stage_on_a_starved_thread_pool_is_not_valid_and_says_why_and_the_same_stage_unstarved_is_valid()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Model = "m", TtftMs = 5, ItlMs = 1 });

        var healthy = await RunAsync(server, observer: null);
        var starved = await RunAsync(server, new PoolHog(Held));

        Assert.True(healthy.Validity!.Valid, string.Join("; ", healthy.Validity.Reasons));
        Assert.True(healthy.Summary.Requests.Successful > 0);
        Assert.False(starved.Validity!.Valid);
        var reason = Assert.Single(starved.Validity.Reasons, r => r.StartsWith("thread_pool_lag:", StringComparison.Ordinal));
        Assert.Contains("the runner was starved", reason, StringComparison.Ordinal);
        var lag = starved.Validity.ThreadPoolLagMs!;
        Assert.True(lag.P95 >= ValidityJudge.MaxThreadPoolLagP95Ms && lag.Max <= Held.TotalMilliseconds + 1000, $"lag p95 {lag.P95} ms, max {lag.Max} ms");
    }

    private async Task<BenchmarkReport> RunAsync(SimulatorServer server, IRunObserver? observer)
    {
        var settings = new BenchmarkSettings { Profile = ProfileKind.Synchronous, MaxDuration = TimeSpan.FromSeconds(3) };
        var endpoint = new Uri(server.V1, "v1/chat/completions");
        var target = new ResolvedTarget("it", new TargetConfig { Name = "sim", Url = endpoint, Model = "m" }, settings);
        var time = TimeProvider.System;
        var executor = new RequestExecutor(new OpenAiStreamingClient(_transports.TransportFor(endpoint, settings), time), time);
        var stages = new StageRunner(executor, time) { Monitors = [new ValidityMonitor(time, NullLogger.Instance)] };
        return await stages.RunAsync("starved", target, StagePlan.Create(settings, 0, ProfileKind.Synchronous), new FixedRequestSource(endpoint), observer is null ? [] : [observer], CancellationToken.None);
    }

    /// <summary>
    /// At the stage's start (before the validity probe starts), queues more blocking work items than the pool has threads,
    /// each holding its thread until the deadline, so every work item queued after them (the probe's tick among them)
    /// waits for it; those the pool reaches after the deadline return at once.
    /// </summary>
    private sealed class PoolHog(TimeSpan hold) : IRunObserver
    {
        public void OnStageStarted(StageContext stage)
        {
            var until = TimeProvider.System.GetTimestamp() + (long)(hold.TotalSeconds * TimeProvider.System.TimestampFrequency);
            var blockers = ThreadPool.ThreadCount + (4 * Environment.ProcessorCount) + 64;
            for (var i = 0; i < blockers; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(
                    static until =>
                    {
                        var left = TimeProvider.System.GetElapsedTime(TimeProvider.System.GetTimestamp(), until);
                        if (left > TimeSpan.Zero)
                        {
                            Thread.Sleep(left);
                        }
                    },
                    until,
                    preferLocal: false);
            }
        }

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
