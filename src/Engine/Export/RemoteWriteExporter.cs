using GuidellmFunctions.Engine.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// Pushes every target's series to the configured remote_write receivers with burst semantics: a 0 sample for every
/// series at the burst start, cumulative samples every push interval and at the end, then staleness markers. Sending
/// happens off the request path. What cannot be delivered is spooled and replayed, in order, by the next run.
/// </summary>
public sealed class RemoteWriteExporter : IDisposable
{
    private readonly List<ReceiverChannel> _receivers;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly ILoggerFactory _loggers;

    /// <summary>Creates an exporter for <paramref name="receivers"/> spooling under <paramref name="spool"/>.</summary>
    public RemoteWriteExporter(IReadOnlyList<RemoteWriteConfig> receivers, ISampleSpool spool, TimeProvider time, ILoggerFactory? loggers = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(receivers);
        ArgumentNullException.ThrowIfNull(spool);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _http = handler is null
            ? new HttpClient(Client.Transport.OutboundHttp.Handler()) { Timeout = System.Threading.Timeout.InfiniteTimeSpan }
            : new HttpClient(handler, disposeHandler: false) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var logger = _loggers.CreateLogger<RemoteWriteClient>();
        _receivers = [.. receivers.Select(r => new ReceiverChannel(r, new RemoteWriteClient(_http, r, time, logger), spool, time))];
        if (Enabled)
        {
            // Compile the encoder now, so the first push of a burst does not compete with its first requests for CPU.
            var warm = new SeriesData(LabelSet.Build([new("__name__", "up")]), [(0, 0)]);
            _ = WriteRequestEncoder.Compress(WriteRequestEncoder.Encode([warm], RunnerMetrics.All));
        }
    }

    /// <summary>True when there is at least one receiver.</summary>
    public bool Enabled => _receivers.Count > 0;

    /// <summary>Delivers what earlier runs spooled, before anything new is sent.</summary>
    public Task ReplaySpoolAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_receivers.Select(r => r.ReplayAsync(cancellationToken)));

    /// <summary>The observer that exports <paramref name="target"/>'s series during its run.</summary>
    public TargetExporter ForTarget(ResolvedTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new TargetExporter(target, _receivers, _time, _loggers.CreateLogger<TargetExporter>());
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
