using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Runs;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Cli.Serving;

/// <summary>
/// The targets of <c>serve</c>: each running target runs at once, then again every <c>interval</c>, until stopped; targets
/// are added, removed, started and stopped at runtime through the control API. While the schedule is paused no run starts
/// (a run in progress finishes), and <c>guidellm_scheduler_paused</c> is 1.
/// </summary>
internal sealed partial class TargetScheduler : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<ServedTarget> _targets = [];
    private readonly List<Task> _loops = [];
    private readonly RunnerConfig _config;
    private readonly LoadTestService _service;
    private readonly TimeProvider _time;
    private readonly string _output;
    private readonly PullMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action<string> _say;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly DateTimeOffset _startedAt;
    private TaskCompletionSource _resumed = Resumed();
    private bool _paused;
    private int _runsInProgress;

    public TargetScheduler(RunnerConfig config, LoadTestService service, TimeProvider time, string output, PullMetrics metrics, ILogger logger, Action<string> say)
    {
        _config = config;
        _service = service;
        _time = time;
        _output = output;
        _metrics = metrics;
        _logger = logger;
        _say = say;
        _startedAt = time.GetUtcNow();
        _metrics.SchedulerPaused.Set(0);
    }

    /// <summary>What a change asked of a target came to.</summary>
    public enum Change
    {
        Done,
        NotFound,
        Ambiguous,
        Conflict,
        Paused,
    }

    /// <summary>The config the targets were resolved from (defaults, archive, receivers).</summary>
    public RunnerConfig Config => _config;

    public bool Paused
    {
        get
        {
            lock (_gate)
            {
                return _paused;
            }
        }
    }

    public int RunsInProgress => Volatile.Read(ref _runsInProgress);

    public TimeSpan Uptime => _time.GetUtcNow() - _startedAt;

    /// <summary>A snapshot of the targets, in the order they were added.</summary>
    public IReadOnlyList<ServedTarget> Targets
    {
        get
        {
            lock (_gate)
            {
                return [.. _targets];
            }
        }
    }

    /// <summary>The targets named <paramref name="name"/> (in <paramref name="environment"/> when given).</summary>
    public IReadOnlyList<ServedTarget> Find(string name, string? environment)
    {
        lock (_gate)
        {
            return [.. _targets.Where(t => string.Equals(t.Name, name, StringComparison.Ordinal) && (environment is null || string.Equals(t.Target.Environment, environment, StringComparison.Ordinal)))];
        }
    }

    /// <summary>Adds a target, stopped, as the Go runner did; false when that environment already has a target of that name.</summary>
    public bool Add(ResolvedTarget target, bool start)
    {
        lock (_gate)
        {
            if (Find(target.Target.Name, target.Environment).Count > 0)
            {
                return false;
            }

            var served = new ServedTarget(target);
            _targets.Add(served);
            if (start)
            {
                StartLocked(served);
            }

            return true;
        }
    }

    public Change Remove(ServedTarget target)
    {
        lock (_gate)
        {
            if (!_targets.Remove(target))
            {
                return Change.NotFound;
            }

            StopLocked(target);
            return Change.Done;
        }
    }

    public Change Start(ServedTarget target)
    {
        lock (_gate)
        {
            if (!_targets.Contains(target))
            {
                return Change.NotFound;
            }

            if (_paused)
            {
                return Change.Paused;
            }

            if (target.Running)
            {
                return Change.Conflict;
            }

            StartLocked(target);
            return Change.Done;
        }
    }

    public Change Stop(ServedTarget target)
    {
        lock (_gate)
        {
            if (!_targets.Contains(target))
            {
                return Change.NotFound;
            }

            if (!target.Running)
            {
                return Change.Conflict;
            }

            StopLocked(target);
            return Change.Done;
        }
    }

    /// <summary>Pauses (true) or resumes (false) the schedule.</summary>
    public void SetPaused(bool paused)
    {
        lock (_gate)
        {
            if (_paused == paused)
            {
                return;
            }

            _paused = paused;
            if (paused)
            {
                _resumed = Resumed();
            }
            else
            {
                _resumed.TrySetResult();
            }
        }

        _metrics.SchedulerPaused.Set(paused ? 1 : 0);
        LogPaused(_logger, paused);
    }

    /// <summary>Waits until shutdown: every loop ends, runs in progress are cancelled (their partial reports still saved).</summary>
    public async Task RunUntilCancelledAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Task[] loops;
        lock (_gate)
        {
            if (!_shutdown.IsCancellationRequested)
            {
                _shutdown.Cancel();
            }

            loops = [.. _loops];
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
        _shutdown.Dispose();
    }

    private static TaskCompletionSource Resumed() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void StartLocked(ServedTarget target)
    {
        var loop = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        target.Loop = loop;
        _loops.RemoveAll(t => t.IsCompleted);
        _loops.Add(Task.Run(() => LoopAsync(target, loop)));
    }

    private static void StopLocked(ServedTarget target)
    {
        target.Loop?.Cancel();
        target.Loop = null;
    }

    private async Task LoopAsync(ServedTarget target, CancellationTokenSource loop)
    {
        var cancellationToken = loop.Token;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Task resumed;
                lock (_gate)
                {
                    resumed = _resumed.Task;
                    if (!_paused)
                    {
                        Interlocked.Increment(ref _runsInProgress);
                        resumed = Task.CompletedTask;
                    }
                }

                if (!resumed.IsCompleted)
                {
                    await resumed.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                try
                {
                    await RunOnceAsync(target, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref _runsInProgress);
                }

                await Task.Delay(target.Target.Settings.Interval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            loop.Dispose();
        }
    }

    private async Task RunOnceAsync(ServedTarget served, CancellationToken cancellationToken)
    {
        var target = served.Target;
        var runId = RunIds.New(_time);
        try
        {
            var outcome = await _service.RunAsync(_config, [target], runId, RunTrigger.Cli, _output, observersFor: t => [_metrics.For(t)], cancellationToken: cancellationToken).ConfigureAwait(false);
            var report = outcome.Results[0].Report;
            lock (_gate)
            {
                served.LastRunAt = report.EndedAt;
                served.LastReport = report;
            }

            _say($"{target.Environment}/{target.Target.Name} run {runId}: {ReportNames.Of(report.Status)}{(report.StatusReason is { } why ? $" ({why})" : string.Empty)}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One target's broken run (storage down, a bug) must not end the others' schedule; the next interval tries again.
            LogRunFailed(_logger, ex, target.Environment, target.Target.Name, runId);
        }
    }

    [LoggerMessage(6001, LogLevel.Information, "Schedule paused: {Paused}")]
    private static partial void LogPaused(ILogger logger, bool paused);

    [LoggerMessage(6002, LogLevel.Error, "Run {RunId} of {Environment}/{Target} failed; the next interval tries again")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string environment, string target, string runId);
}
