using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Validity;

/// <summary>
/// Watches the runner's own process during a stage: its CPU time, the machine's, and how late its thread pool runs
/// work: a timer re-armed every <c>period</c> queues a work item, whose lateness (time past its due) is sampled.
/// </summary>
internal sealed class RunnerLoadProbe : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;
    private readonly Distribution _lag = new();
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private long _armedAt;
    private long _startedAt;
    private TimeSpan _cpuAtStart;
    private MachineCpu? _machineAtStart;

    /// <summary>Creates a probe sampling every <paramref name="period"/>.</summary>
    public RunnerLoadProbe(TimeProvider time, TimeSpan period)
    {
        _time = time;
        _period = period;
    }

    /// <summary>Starts watching.</summary>
    public void Start()
    {
        _startedAt = Math.Max(1, _time.GetTimestamp());
        _cpuAtStart = Environment.CpuUsage.TotalTime;
        _machineAtStart = MachineCpu.Read();
        lock (_lock)
        {
            _armedAt = _startedAt;
            _timer = _time.CreateTimer(_ => Tick(), null, _period, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Stops watching and returns what was seen.</summary>
    public ProcessLoadFigures Stop()
    {
        if (_startedAt == 0)
        {
            return new ProcessLoadFigures(null, null, Environment.ProcessorCount, null);
        }

        var elapsed = _time.GetElapsedTime(_startedAt);
        var cpu = Environment.CpuUsage.TotalTime - _cpuAtStart;
        var machine = _machineAtStart is { } before && MachineCpu.Read() is { } after ? after.ShareSince(before) : null;
        DistributionSummary lag;
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            lag = _lag.Summarize();
        }

        var cores = Environment.ProcessorCount;
        double? share = elapsed > TimeSpan.Zero ? Math.Clamp(cpu / (elapsed * cores), 0, 1) : null;
        return new ProcessLoadFigures(share, machine, cores, lag.Count == 0 ? null : new LagSummary(lag.Count, lag.P50, lag.P95, lag.P99, lag.Max));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Tick()
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (_timer is null)
            {
                return;
            }

            var late = _time.GetElapsedTime(_armedAt, now) - _period;
            _lag.Record(Math.Max(0, late.TotalMilliseconds));
            _armedAt = now;
            _timer.Change(_period, Timeout.InfiniteTimeSpan);
        }
    }
}
