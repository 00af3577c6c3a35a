using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>
/// One stage seen through a server's <c>/metrics</c>: the reading before it (taken when the watch began), one every
/// interval while it runs (for the gauges' peaks), and one after its last request.
/// </summary>
internal sealed class ScrapeStageWatch : IStageWatch
{
    private readonly MetricsEndpointReader _reader;
    private readonly ServerReport _section;
    private readonly MetricSnapshot _before;
    private readonly ResolvedTarget _target;
    private readonly StagePlan _plan;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GaugePeaks _peaks = new();
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public ScrapeStageWatch(MetricsEndpointReader reader, ServerReport section, MetricSnapshot before, ResolvedTarget target, StagePlan plan, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        _reader = reader;
        _section = section;
        _before = before;
        _target = target;
        _plan = plan;
        _interval = interval;
        _time = time;
        _logger = logger;
        _peaks.Observe(before);
    }

    /// <inheritdoc />
    public void Started(StageContext stage) => _loop = ReadEveryIntervalAsync(_stop.Token);

    /// <inheritdoc />
    public async Task<BenchmarkReport> CompleteAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        await StopAsync().ConfigureAwait(false);

        // Not the run's token: a cancelled run's report still gets the stage's figures, the read bounded by its timeout.
        var (after, failure) = await _reader.ReadAsync(_target.Target.Model, CancellationToken.None).ConfigureAwait(false);
        if (after is null)
        {
            return report with { Server = _section with { Available = false, Error = "the reading after the stage failed: " + failure!.Message } };
        }

        ServerReport server;
        lock (_lock)
        {
            _peaks.Observe(after);
            server = ServerFigures.Compute(_section, _before, after, _peaks, ServerMetricsMonitor.Sent(report));
        }

        ServerMetricsMonitor.LogNotes(_logger, _target, _plan, server);
        return report with { Server = server, ClientMinusServer = ServerFigures.ClientMinusServer(report.Summary, server) };
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await _loop.ConfigureAwait(false);
    }

    private async Task ReadEveryIntervalAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_interval, _time, stop).ConfigureAwait(false);
                var (snapshot, _) = await _reader.ReadAsync(_target.Target.Model, stop).ConfigureAwait(false);
                if (snapshot is not null)
                {
                    lock (_lock)
                    {
                        _peaks.Observe(snapshot);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The stage ended.
        }
    }
}
