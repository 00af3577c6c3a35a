using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Discovery;
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
    private readonly Func<CancellationToken, Task<RunnerConfig>>? _rediscover;
    private readonly string? _environment;
    private RunnerConfig _config;
    private readonly LoadTestService _service;
    private readonly TimeProvider _time;
    private readonly string _output;
    private readonly PullMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action<string> _say;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly DateTimeOffset _startedAt;
    private TaskCompletionSource _resumed = Resumed();
    private Task _discovery = Task.CompletedTask;
    private DateTimeOffset _discoveredAt;
    private bool _paused;
    private int _runsInProgress;

    /// <summary>
    /// Creates the schedule; <c>rediscover</c> lists the routers of <c>discovery:</c> again (null without discovery), and
    /// <c>environment</c> is the one environment served (null for all).
    /// </summary>
    public TargetScheduler(RunnerConfig config, LoadTestService service, TimeProvider time, string output, PullMetrics metrics, ILogger logger, Action<string> say, Func<CancellationToken, Task<RunnerConfig>>? rediscover = null, string? environment = null)
    {
        _config = config;
        _rediscover = rediscover;
        _environment = environment;
        _service = service;
        _time = time;
        _output = output;
        _metrics = metrics;
        _logger = logger;
        _say = say;
        _startedAt = time.GetUtcNow();
        _discoveredAt = _startedAt;
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

    /// <summary>The config the targets were resolved from (defaults, archive, receivers), as of the latest discovery.</summary>
    public RunnerConfig Config => Volatile.Read(ref _config);

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
        if (_rediscover is not null)
        {
            lock (_gate)
            {
                _loops.Add(Task.Run(() => DiscoverLoopAsync(_shutdown.Token), CancellationToken.None));
            }
        }

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
                        target.InRun = true;
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

                lock (_gate)
                {
                    target.InRun = false;
                    if (!_targets.Contains(target))
                    {
                        // Retired by discovery while it ran: its run finished, no other starts.
                        return;
                    }
                }

                await Task.Delay(target.Target.Settings.Interval, _time, cancellationToken).ConfigureAwait(false);
                if (target.Target.Target.DiscoveredFrom is not null)
                {
                    // The router decides whether this interval runs the model at all.
                    await Rediscover().WaitAsync(cancellationToken).ConfigureAwait(false);
                    lock (_gate)
                    {
                        if (!_targets.Contains(target))
                        {
                            return;
                        }
                    }
                }
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

    /// <summary>
    /// Every interval of <c>defaults</c> (the one discovered targets run at), lists the routers again: a model listed
    /// anew becomes a running target, a discovered target no longer listed leaves the schedule once its run in progress
    /// finishes. A router that cannot be listed keeps its last known targets, and its warning shows in the status.
    /// </summary>
    private async Task DiscoverLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(DiscoveryInterval, _time, cancellationToken).ConfigureAwait(false);
                await Rediscover().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private TimeSpan DiscoveryInterval => new BenchmarkSettings().With(Config.Defaults).Interval;

    /// <summary>
    /// The discovery of this interval: the one in progress or listed within the last half interval (the schedule's
    /// timer and the targets' timers that end together share it), else a new one.
    /// </summary>
    private Task Rediscover()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_rediscover is not null && _discovery.IsCompleted && now - _discoveredAt >= DiscoveryInterval / 2)
            {
                _discoveredAt = now;
                _discovery = RediscoverAsync(_shutdown.Token);
            }

            return _discovery;
        }
    }

    private async Task RediscoverAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        IReadOnlyList<ResolvedTarget> resolved;
        RunnerConfig config;
        try
        {
            config = await _rediscover!(cancellationToken).ConfigureAwait(false);
            resolved = _environment is null ? config.ResolveAll()
                : config.FindEnvironment(_environment) is null ? [] : config.ResolveTargets(_environment);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRediscoverFailed(_logger, ex);
            return;
        }

        var failed = config.Warnings.Where(w => w.Key.StartsWith("discovery.environments.", StringComparison.Ordinal) && w.Message.StartsWith(ModelDiscovery.FailurePrefix, StringComparison.Ordinal))
            .Select(w => w.Key["discovery.environments.".Length..]).ToHashSet(StringComparer.Ordinal);
        var discovered = resolved.Where(t => t.Target.DiscoveredFrom is not null).ToList();
        Volatile.Write(ref _config, config);
        foreach (var warning in config.Warnings.Where(w => w.Key.StartsWith("discovery.", StringComparison.Ordinal)))
        {
            _say($"{warning.Key}: {warning.Message}; the last known targets stay");
        }

        lock (_gate)
        {
            foreach (var gone in _targets.Where(t => t.Target.Target.DiscoveredFrom is not null && !failed.Contains(t.Target.Environment)
                && !discovered.Any(d => Same(d, t.Target))).ToList())
            {
                _targets.Remove(gone);
                if (!gone.InRun)
                {
                    StopLocked(gone);
                }

                LogRetired(_logger, gone.Target.Environment, gone.Name);
                _say($"{gone.Target.Environment}/{gone.Name} is no longer listed: it leaves the schedule");
            }

            foreach (var added in discovered.Where(d => !_targets.Any(t => Same(d, t.Target))))
            {
                var served = new ServedTarget(added);
                _targets.Add(served);
                StartLocked(served);
                LogDiscovered(_logger, added.Environment, added.Target.Name, added.Target.Model);
                _say($"{added.Environment}/{added.Target.Name} discovered (model {added.Target.Model}): it runs now, then every interval");
            }
        }
    }

    private static bool Same(ResolvedTarget a, ResolvedTarget b) =>
        string.Equals(a.Environment, b.Environment, StringComparison.Ordinal) && string.Equals(a.Target.Name, b.Target.Name, StringComparison.Ordinal);

    private async Task RunOnceAsync(ServedTarget served, CancellationToken cancellationToken)
    {
        var target = served.Target;
        var runId = RunIds.New(_time);
        try
        {
            var outcome = await _service.RunAsync(Config, [target], runId, RunTrigger.Cli, _output, observersFor: t => [_metrics.For(t)], cancellationToken: cancellationToken).ConfigureAwait(false);
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

    [LoggerMessage(6003, LogLevel.Information, "Discovery added {Environment}/{Target} (model {Model}); it runs now, then every interval")]
    private static partial void LogDiscovered(ILogger logger, string environment, string target, string model);

    [LoggerMessage(6004, LogLevel.Information, "Discovery no longer lists {Environment}/{Target}; it leaves the schedule")]
    private static partial void LogRetired(ILogger logger, string environment, string target);

    [LoggerMessage(6005, LogLevel.Warning, "Discovery of the serve targets failed; the targets stay as they were")]
    private static partial void LogRediscoverFailed(ILogger logger, Exception exception);

    [LoggerMessage(6002, LogLevel.Error, "Run {RunId} of {Environment}/{Target} failed; the next interval tries again")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string environment, string target, string runId);
}
