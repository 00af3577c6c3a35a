using System.Runtime.CompilerServices;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Diagnostics;
using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Runs one load stage. Open-loop profiles dispatch request i at its scheduled time whatever the responses do (a slow
/// server never delays arrivals; any lateness is measured as dispatch delay); closed-loop profiles keep N streams busy.
/// The stage ends at <c>max_seconds</c> (in-flight requests cancelled, counted incomplete), after <c>max_requests</c> have
/// finished, at <c>max_errors</c> failures, when a stop condition (<see cref="IStageStopCondition"/>) or an observer says so, or on cancellation.
/// </summary>
internal sealed class StageRunner
{
    private readonly RequestExecutor _executor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private TimeSpan _expectedLatency = ConnectionPreopening.DefaultLatency;

    /// <summary>Creates a runner sending through <paramref name="executor"/>.</summary>
    public StageRunner(RequestExecutor executor, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(time);
        _executor = executor;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>What watches each stage from beside the request path (server metrics, the runner's own validity).</summary>
    internal IReadOnlyList<IStageMonitor> Monitors { get; init; } = [];

    /// <summary>Runs <paramref name="plan"/> for <paramref name="target"/> and returns its report.</summary>
    public async Task<BenchmarkReport> RunAsync(string runId, ResolvedTarget target, StagePlan plan, IRequestSource source, IReadOnlyList<IRunObserver> observers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(observers);
        Log.StageStarting(_logger, plan.Index, ProfileNames.Format(plan.Kind), target.Environment, target.Target.Name, plan.Rate ?? plan.Streams ?? 0, plan.MaxDuration?.TotalSeconds, plan.MaxRequests);

        // Request 0 is built before the clock starts, so first-use costs (JIT, tokenizer) are not charged as dispatch delay.
        var first = source.Prepare(plan.Index, 0);
        await PreopenAsync(target, plan, first, cancellationToken).ConfigureAwait(false);
        var watches = await StageWatches.BeginAsync(Monitors, target, plan, _logger, cancellationToken).ConfigureAwait(false);
        await using var disposeWatches = watches.ConfigureAwait(false);
        var startedAt = _time.GetUtcNow();
        var start = _time.GetTimestamp();
        var concurrency = new ConcurrencyTracker(start, _time.TimestampFrequency);
        using var early = new EarlyStop();
        var context = new StageContext(runId, target, plan, start, () => concurrency.Current, early.Request);
        var collector = new StageCollector(context, _time.TimestampFrequency, observers);
        foreach (var observer in observers)
        {
            observer.OnStageStarted(context);
        }

        watches.Started(context);
        using var deadline = plan.MaxDuration is { } d ? new CancellationTokenSource(d, _time) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token, early.Token);
        var state = new StageState(this, context, source, first, collector, concurrency, stop, observers, StopConditions(plan));

        await (plan.IsOpenLoop ? DispatchOpenLoopAsync(state) : DispatchClosedLoopAsync(state)).ConfigureAwait(false);
        await state.DrainAsync().ConfigureAwait(false);
        state.Slots?.Dispose();

        var end = _time.GetTimestamp();
        var stopReason = cancellationToken.IsCancellationRequested ? "cancelled"
            : state.MaxErrorsReached ? "max_errors"
            : early.Reason is { } earlyReason ? earlyReason
            : deadline.IsCancellationRequested ? "max_seconds"
            : state.ScheduleEnded ? "dataset_end"
            : "max_requests";
        var summary = collector.Complete(end, concurrency);
        var report = new BenchmarkReport
        {
            Index = plan.Index,
            Profile = new ProfileReport(ProfileNames.Format(plan.Kind), plan.Rate, plan.Streams, plan.MaxConcurrency, plan.MaxDuration?.TotalSeconds, plan.MaxRequests, plan.Warmup.TotalSeconds, plan.Cooldown.TotalSeconds),
            StartedAt = startedAt,
            EndedAt = _time.GetUtcNow(),
            DurationSeconds = _time.GetElapsedTime(start, end).TotalSeconds,
            MeasuredSeconds = collector.MeasuredSeconds(end),
            StopReason = stopReason,
            StopDetail = stopReason == early.Reason ? early.Detail : null,
            Summary = summary,
        };
        report = await watches.CompleteAsync(report, cancellationToken).ConfigureAwait(false);
        if (summary.E2eLatencyMs.Count > 0)
        {
            _expectedLatency = TimeSpan.FromMilliseconds(summary.E2eLatencyMs.Mean);
        }

        Log.StageEnded(_logger, plan.Index, target.Environment, target.Target.Name, stopReason, summary.Requests.Successful, summary.Requests.Failed, summary.Requests.Incomplete, summary.Throughput.RequestsPerSecond);
        foreach (var observer in observers)
        {
            observer.OnStageCompleted(context, report);
        }

        return report;
    }

    /// <summary>Opens the connections the stage will need before its clock starts, unless <c>preopen_connections</c> is off.</summary>
    private async Task PreopenAsync(ResolvedTarget target, StagePlan plan, PreparedRequest first, CancellationToken cancellationToken)
    {
        var wanted = ConnectionPreopening.Count(plan, _expectedLatency);
        if (wanted == 0 || !target.Settings.Get(SettingsTable.PreopenConnections))
        {
            return;
        }

        var started = _time.GetTimestamp();
        var ready = await _executor.PreopenAsync(first.Request, wanted, cancellationToken).ConfigureAwait(false);
        Log.ConnectionsPreopened(_logger, plan.Index, target.Environment, target.Target.Name, ready, wanted, _time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>The rules that may end a stage early from its results, asked in this order after every request.</summary>
    private static IStageStopCondition[] StopConditions(StagePlan plan) => [new TargetRefusesBreaker()];

    private async Task DispatchOpenLoopAsync(StageState state)
    {
        if (_time == TimeProvider.System && PreciseClock.Available)
        {
            await DispatchOnOwnThreadAsync(state).ConfigureAwait(false);
            return;
        }

        var plan = state.Context.Plan;
        var schedule = state.Arrivals();
        var slots = state.Slots;
        var token = state.Stop.Token;
        for (long i = 0; plan.MaxRequests is not { } max || i < max; i++)
        {
            var offset = schedule.Next();
            if (token.IsCancellationRequested)
            {
                break;
            }

            if (offset == IArrivalSchedule.End)
            {
                state.ScheduleEnded = true;
                break;
            }

            if (offset >= plan.MaxDuration)
            {
                // The schedule is exhausted but the stage lasts its full time: in-flight requests run to the deadline.
                await WaitForStopAsync(token).ConfigureAwait(false);
                break;
            }

            var prepared = state.Prepare(i);
            var scheduled = state.ScheduledAt(offset);
            try
            {
                // Timers may fire a few ms early against the monotonic clock: wait again for what is left, so a request is
                // never sent more than the last millisecond before its time.
                TimeSpan wait;
                while ((wait = _time.GetElapsedTime(_time.GetTimestamp(), scheduled)) >= TimeSpan.FromMilliseconds(1)
                    || (wait > TimeSpan.Zero && _time != TimeProvider.System))
                {
                    await Task.Delay(wait, _time, token).ConfigureAwait(false);
                }

                if (slots is not null)
                {
                    await slots.WaitAsync(token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }

            state.Start(prepared, i, scheduled);
        }
    }

    /// <summary>
    /// The open loop on a thread of its own: it sleeps on the kernel's high-resolution timer until each request's time
    /// and starts the request inline, so neither .NET's millisecond timers nor a thread-pool hop delay it.
    /// </summary>
    private static Task DispatchOnOwnThreadAsync(StageState state)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                DispatchPrecisely(state);
                done.SetResult();
            }
#pragma warning disable CA1031 // Handed to the awaiting stage, as an async dispatcher's failure would be.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "guidellm-dispatch",
        };
        thread.Start();
        return done.Task;
    }

    private static void DispatchPrecisely(StageState state)
    {
        var plan = state.Context.Plan;
        var schedule = state.Arrivals();
        var token = state.Stop.Token;
        for (long i = 0; plan.MaxRequests is not { } max || i < max; i++)
        {
            var offset = schedule.Next();
            if (token.IsCancellationRequested)
            {
                return;
            }

            if (offset == IArrivalSchedule.End)
            {
                state.ScheduleEnded = true;
                return;
            }

            if (offset >= plan.MaxDuration)
            {
                token.WaitHandle.WaitOne();
                return;
            }

            var prepared = state.Prepare(i);
            var scheduled = state.ScheduledAt(offset);
            try
            {
                if (!PreciseClock.SleepUntil(scheduled, token))
                {
                    return;
                }

                state.Slots?.Wait(token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            state.StartInline(prepared, i, scheduled);
        }
    }

    private async Task WaitForStopAsync(CancellationToken token)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The deadline, max_errors or the caller ended the stage.
        }
    }

    private async Task DispatchClosedLoopAsync(StageState state)
    {
        var plan = state.Context.Plan;
        var next = -1L;
        var workers = new Task[plan.Streams ?? 1];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                while (!state.Stop.IsCancellationRequested && !state.MaxErrorsReached)
                {
                    var i = Interlocked.Increment(ref next);
                    if (plan.MaxRequests is { } max && i >= max)
                    {
                        return;
                    }

                    var prepared = state.Prepare(i);
                    await state.RunOneAsync(prepared, i, _time.GetTimestamp()).ConfigureAwait(false);
                }
            });
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    /// <summary>An observer's request to end the stage early; the first request wins.</summary>
    private sealed class EarlyStop : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private int _requested;

        public CancellationToken Token => _cts.Token;

        public string? Reason { get; private set; }

        public string? Detail { get; private set; }

        public void Request(string reason, string detail)
        {
            if (Interlocked.Exchange(ref _requested, 1) == 0)
            {
                (Reason, Detail) = (reason, detail);

                // Callbacks run on the pool: the requester may hold the stage collector's lock.
                _ = _cts.CancelAsync();
            }
        }

        public void Dispose() => _cts.Dispose();
    }

    private sealed class StageState(StageRunner runner, StageContext context, IRequestSource source, PreparedRequest first, StageCollector collector, ConcurrencyTracker concurrency, CancellationTokenSource stop, IReadOnlyList<IRunObserver> observers, IStageStopCondition[] conditions)
    {
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _outstanding = 1;
        private int _maxErrorsReached;

        public StageContext Context => context;

        public PreparedRequest Prepare(long index) => index == 0 ? first : source.Prepare(context.Plan.Index, index);

        /// <summary>The open loop's arrival offsets.</summary>
        public IArrivalSchedule Arrivals() => ArrivalSchedules.Of(context.Plan, context.Target, source);

        /// <summary>A finite schedule (a replayed trace) had no more arrivals.</summary>
        public bool ScheduleEnded { get; set; }

        /// <summary>The timestamp of the arrival <paramref name="offset"/> after the stage start.</summary>
        public long ScheduledAt(TimeSpan offset) =>
            context.StartTimestamp + (long)((Int128)offset.Ticks * runner._time.TimestampFrequency / TimeSpan.TicksPerSecond);

        public CancellationTokenSource Stop => stop;

        public bool MaxErrorsReached => Volatile.Read(ref _maxErrorsReached) == 1;

        /// <summary>Caps in-flight requests of open-loop stages; lives until the stage has drained.</summary>
        public SemaphoreSlim? Slots { get; } = context.Plan is { IsOpenLoop: true, MaxConcurrency: { } cap } ? new SemaphoreSlim(cap, cap) : null;

        public void Start(PreparedRequest prepared, long index, long scheduled)
        {
            Interlocked.Increment(ref _outstanding);
            _ = Task.Run(() => RunAndReleaseAsync(prepared, index, scheduled));
        }

        /// <summary>Starts the request on the calling thread: it runs there until its first wait for the network.</summary>
        public void StartInline(PreparedRequest prepared, long index, long scheduled)
        {
            Interlocked.Increment(ref _outstanding);
            _ = RunAndReleaseAsync(prepared, index, scheduled);
        }

        private async Task RunAndReleaseAsync(PreparedRequest prepared, long index, long scheduled)
        {
            try
            {
                await RunOneAsync(prepared, index, scheduled).ConfigureAwait(false);
            }
            finally
            {
                Slots?.Release();
                Release();
            }
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        public async ValueTask RunOneAsync(PreparedRequest prepared, long index, long scheduled)
        {
            var result = await SendAsync(prepared, index, scheduled, prepared.Conversation?.Id, prepared.Conversation is null ? null : 0).ConfigureAwait(false);
            if (prepared.Conversation is { } conversation)
            {
                await FollowAsync(conversation, result, index).ConfigureAwait(false);
            }
        }

        /// <summary>The later turns of a conversation, each sent its think time after the previous answer, until one fails or the stage ends.</summary>
        private async ValueTask FollowAsync(Conversation conversation, RequestResult first, long index)
        {
            var think = context.Target.Settings.Get(SettingsTable.ThinkTime);
            var result = first;
            for (var turn = 1; result.Status == RequestStatus.Successful && !stop.IsCancellationRequested; turn++)
            {
                if (conversation.Next(turn, result.Answer ?? string.Empty, result.OutputTokens) is not { } next)
                {
                    return;
                }

                if (think > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(think, runner._time, stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                result = await SendAsync(next, index, runner._time.GetTimestamp(), conversation.Id, turn).ConfigureAwait(false);
            }
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<RequestResult> SendAsync(PreparedRequest prepared, long index, long scheduled, string? conversationId, int? turn)
        {
            var time = runner._time;
            concurrency.Increment(time.GetTimestamp());
            for (var i = 0; i < observers.Count; i++)
            {
                observers[i].OnRequestStarted(context);
            }

            var plan = context.Plan;
            var result = await runner._executor.ExecuteAsync(prepared.Request, index, scheduled, prepared.PromptTokens, prepared.OutputTokens, plan.RequestTimeout, stop.Token).ConfigureAwait(false);
            var now = time.GetTimestamp();
            concurrency.Decrement(now);
            (result.ConversationId, result.Turn) = (conversationId, turn);
            collector.Add(result, now);
            if (plan.MaxErrors is { } maxErrors && collector.Failures >= maxErrors && Interlocked.Exchange(ref _maxErrorsReached, 1) == 0)
            {
                Log.MaxErrorsReached(runner._logger, plan.Index, context.Target.Environment, context.Target.Target.Name, collector.Failures);
                stop.Cancel();
            }

            for (var i = 0; i < conditions.Length; i++)
            {
                if (conditions[i].Observe(result) is { } stopping)
                {
                    Log.StageStoppedEarly(runner._logger, plan.Index, context.Target.Environment, context.Target.Target.Name, stopping.Reason, stopping.Detail);
                    context.StopEarly?.Invoke(stopping.Reason, stopping.Detail);

                    // At once, not on the pool as an observer's request: a refusing target gets no request after the one that tripped it.
                    stop.Cancel();
                    break;
                }
            }

            return result;
        }

        public Task DrainAsync()
        {
            Release();
            return _drained.Task;
        }

        private void Release()
        {
            if (Interlocked.Decrement(ref _outstanding) == 0)
            {
                _drained.TrySetResult();
            }
        }
    }
}
