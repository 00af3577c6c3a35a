using GuidellmFunctions.Engine.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// Pushes every target's series to the configured remote_write receivers with burst semantics: a 0 sample for every
/// series at the burst start, cumulative samples every push interval and at the end, then staleness markers. Sending
/// happens off the request path. What cannot be delivered is spooled and replayed, in order, by the next run.
/// </summary>
internal sealed class RemoteWriteExporter : IDisposable
{
    private readonly List<ReceiverChannel> _receivers;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ILoggerFactory _loggers;
    private readonly HistogramLayout _layout;

    /// <summary>Creates an exporter for <paramref name="receivers"/> spooling under <paramref name="spool"/>, over its own HttpClient.</summary>
    /// <param name="receivers">The receivers.</param>
    /// <param name="spool">Where undeliverable bodies wait for the next run.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggers">Loggers.</param>
    /// <param name="handler">The HTTP handler (tests); a pooled <see cref="SocketsHttpHandler"/> when null.</param>
    /// <param name="layout">Classic bucket boundaries (the defaults when null).</param>
    public RemoteWriteExporter(IReadOnlyList<RemoteWriteConfig> receivers, ISampleSpool spool, TimeProvider time, ILoggerFactory? loggers = null, HttpMessageHandler? handler = null, HistogramLayout? layout = null)
        : this(receivers, spool, time, OwnClient(handler), ownsHttp: true, loggers, layout)
    {
    }

    /// <summary>Creates an exporter over <paramref name="http"/>, which it does not dispose (one from <see cref="IHttpClientFactory"/>).</summary>
    /// <param name="receivers">The receivers.</param>
    /// <param name="spool">Where undeliverable bodies wait for the next run.</param>
    /// <param name="time">The clock.</param>
    /// <param name="http">The HttpClient, with an infinite timeout: each receiver's policy times its attempts.</param>
    /// <param name="loggers">Loggers.</param>
    /// <param name="layout">Classic bucket boundaries (the defaults when null).</param>
    public RemoteWriteExporter(IReadOnlyList<RemoteWriteConfig> receivers, ISampleSpool spool, TimeProvider time, HttpClient http, ILoggerFactory? loggers = null, HistogramLayout? layout = null)
        : this(receivers, spool, time, http, ownsHttp: false, loggers, layout)
    {
    }

    private RemoteWriteExporter(IReadOnlyList<RemoteWriteConfig> receivers, ISampleSpool spool, TimeProvider time, HttpClient http, bool ownsHttp, ILoggerFactory? loggers, HistogramLayout? layout)
    {
        ArgumentNullException.ThrowIfNull(receivers);
        ArgumentNullException.ThrowIfNull(spool);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _http = http;
        _ownsHttp = ownsHttp;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _layout = layout ?? HistogramLayout.Default;
        var clientLogger = _loggers.CreateLogger<RemoteWriteClient>();
        var channelLogger = _loggers.CreateLogger<RemoteWriteExporter>();
        _receivers = [.. receivers.Select(r => new ReceiverChannel(r, new RemoteWriteClient(_http, r, time, clientLogger), spool, time, channelLogger))];
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
        return new TargetExporter(target, _receivers, _time, _loggers.CreateLogger<TargetExporter>(), _layout);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>The handler the engine's remote_write HttpClient uses: pooled connections renewed every 5 minutes (DNS changes).</summary>
    public static SocketsHttpHandler CreateHandler() => Client.Transport.OutboundHttp.Handler();

    private static HttpClient OwnClient(HttpMessageHandler? handler) => handler is null
        ? new HttpClient(CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan }
        : new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
}
