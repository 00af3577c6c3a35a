using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// Exports one target's burst: zeros at start, cumulative samples every push interval and at the end, then stale
/// markers; native histograms (to the receivers that asked for them) follow the same steps in bodies of their own.
/// </summary>
internal sealed partial class TargetExporter : IRunObserver
{
    private readonly IReadOnlyList<ReceiverChannel> _receivers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BurstMetrics _metrics;
    private readonly Dictionary<ReceiverChannel, ExportTally> _tallies;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sendLock = new();
    private Task _sending = Task.CompletedTask;
    private Task? _loop;
    private long _lastTimestampMs;
    private IReadOnlyList<KeyValuePair<string, string>[]> _seriesSent = [];
    private IReadOnlyList<KeyValuePair<string, string>[]> _nativeSent = [];

    internal TargetExporter(ResolvedTarget target, IReadOnlyList<ReceiverChannel> receivers, TimeProvider time, ILogger logger, HistogramLayout? layout = null)
    {
        _receivers = receivers;
        _time = time;
        _logger = logger;
        var external = receivers.Count > 0 ? receivers[0].Config.ExternalLabels : new Dictionary<string, string>();
        _metrics = new BurstMetrics(target, external, layout, native: receivers.Any(r => r.Config.NativeHistograms));
        _tallies = receivers.ToDictionary(r => r, r => new ExportTally(r.Receiver));
    }

    /// <summary>The series being exported.</summary>
    public BurstMetrics Metrics => _metrics;

    /// <inheritdoc />
    public void OnStageStarted(StageContext stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        _metrics.Track(stage);
        if (_loop is null && _receivers.Count > 0)
        {
            Push(stale: false);
            var interval = _receivers.Min(r => r.Config.PushInterval);
            // Started on this thread so its first interval is armed before the stage's first request: from Task.Run, a
            // clock that moved before the pool thread ran (a fake clock in the tests did) left the first push waiting.
            _loop = LoopAsync(interval);
        }
    }

    /// <inheritdoc />
    public void OnRequestStarted(StageContext stage)
    {
    }

    /// <inheritdoc />
    public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase)
    {
        if (phase == RequestPhase.Measured)
        {
            _metrics.Observe(result);
        }
    }

    /// <inheritdoc />
    public void OnStageCompleted(StageContext stage, BenchmarkReport report) => _metrics.StageEnded(report);

    /// <inheritdoc />
    public async Task<RunReport> OnRunCompletedAsync(RunReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _metrics.RunEnded(report.Status == RunStatus.Completed, _time.GetUtcNow());
        _metrics.Conclude(report);
        Push(stale: false);
        if (_receivers.Any(r => r.Config.SendStaleMarkers))
        {
            Push(stale: true);
        }

        Task sending;
        lock (_sendLock)
        {
            sending = _sending;
        }

        await sending.ConfigureAwait(false);
        return report with { Export = [.. _receivers.Select(r => _tallies[r].ToReport(r.Replayed, r.ReplayErrors))] };
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, _time, _stop.Token).ConfigureAwait(false);
                Push(stale: false);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended; the final samples are pushed by OnRunCompletedAsync.
        }
    }

    private void Push(bool stale)
    {
        var now = Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds(), _lastTimestampMs + 1);
        _lastTimestampMs = now;
        IReadOnlyList<SeriesData> series;
        IReadOnlyList<SeriesData> native;
        if (stale)
        {
            series = [.. _seriesSent.Select(labels => new SeriesData(labels, [(now, StaleMarker.Value)]))];
            var marker = NativeHistogramSample.Stale(NativeHistogram.Schema, NativeHistogram.ZeroThreshold);
            native = [.. _nativeSent.Select(labels => SeriesData.Native(labels, now, marker))];
        }
        else
        {
            var snapshot = _metrics.Snapshot(now);
            _seriesSent = [.. snapshot.Select(s => s.Labels)];
            series = [.. snapshot.Select(s => new SeriesData(s.Labels, [(now, s.Value)]))];
            var histograms = _metrics.NativeSnapshot();
            _nativeSent = [.. histograms.Select(h => h.Labels)];
            native = [.. histograms.Select(h => SeriesData.Native(h.Labels, now, h.Histogram))];
        }

        lock (_sendLock)
        {
            // Encoding and sending run on the pool, never on the thread that dispatches requests.
            var previous = _sending;
            _sending = Task.Run(() => SendAfterAsync(previous, series, native, stale));
        }
    }

    private async Task SendAfterAsync(Task previous, IReadOnlyList<SeriesData> series, IReadOnlyList<SeriesData> native, bool stale)
    {
        await previous.ConfigureAwait(false);
        foreach (var receiver in _receivers)
        {
            if (stale && !receiver.Config.SendStaleMarkers)
            {
                continue;
            }

            await SendAsync(receiver, series, native: false).ConfigureAwait(false);
            if (receiver.Config.NativeHistograms)
            {
                await SendAsync(receiver, native, native: true).ConfigureAwait(false);
            }
        }
    }

    private async Task SendAsync(ReceiverChannel receiver, IReadOnlyList<SeriesData> series, bool native)
    {
        foreach (var batch in series.Chunk(Math.Max(1, receiver.Config.MaxSamplesPerRequest)))
        {
            var body = WriteRequestEncoder.Encode(batch, native ? [] : RunnerMetrics.All);
            try
            {
                await receiver.SendAsync(body, _tallies[receiver], native, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogSpoolFailed(_logger, receiver.Receiver, ex.Message);
                _tallies[receiver].Rejected(batch.Sum(s => s.SampleCount), "spool write failed: " + ex.Message);
            }
        }
    }

    [LoggerMessage(4004, LogLevel.Error, "Samples for {Receiver} could neither be delivered nor spooled: {Reason}")]
    private static partial void LogSpoolFailed(ILogger logger, string receiver, string reason);
}
