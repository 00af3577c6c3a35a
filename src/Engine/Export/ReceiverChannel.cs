using GuidellmFunctions.Engine.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// One receiver's ordered delivery: bodies are sent one at a time, and once one has been spooled every later body of
/// the run is spooled too, because a receiver refuses samples older than those it already holds for a series. Native
/// histograms travel in bodies of their own, so a receiver that refuses them still gets every classic series; after
/// its first refusal no more are sent to it.
/// </summary>
internal sealed partial class ReceiverChannel(RemoteWriteConfig config, RemoteWriteClient client, ISampleSpool spool, TimeProvider time, ILogger? logger = null)
{
    private readonly SemaphoreSlim _order = new(1, 1);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private bool _spooling;

    public RemoteWriteConfig Config => config;

    public string Receiver => client.Receiver;

    public long Replayed { get; private set; }

    public List<string> ReplayErrors { get; } = [];

    /// <summary>True once the receiver refused a body of native histograms: later ones are not sent.</summary>
    public bool NativeRefused { get; private set; }

    /// <summary>Replays the spool in order; stops at the first body that still cannot be delivered.</summary>
    public async Task ReplayAsync(CancellationToken cancellationToken)
    {
        await _order.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var id in await spool.PendingAsync(config.Url, cancellationToken).ConfigureAwait(false))
            {
                var body = await spool.ReadAsync(id, cancellationToken).ConfigureAwait(false);
                var result = await client.SendAsync(body, cancellationToken).ConfigureAwait(false);
                switch (result.Outcome)
                {
                    case DeliveryOutcome.Delivered:
                        Replayed += WriteRequestEncoder.CountSamples(body);
                        await spool.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
                        break;
                    case DeliveryOutcome.Rejected:
                        ReplayErrors.Add($"replay rejected: {result.Message}");
                        await spool.RejectAsync(id, result.Message ?? "rejected", cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        ReplayErrors.Add($"replay failed, kept in spool: {result.Message}");
                        _spooling = true;
                        return;
                }
            }
        }
        finally
        {
            _order.Release();
        }
    }

    /// <summary>Delivers <paramref name="body"/> or spools it; the outcome and sample count go to <paramref name="tally"/>.</summary>
    /// <param name="body">An uncompressed <c>WriteRequest</c>.</param>
    /// <param name="tally">Where the outcome is counted.</param>
    /// <param name="native">The body holds native histograms only: a refusal stops them, not the classic series.</param>
    /// <param name="cancellationToken">The host is stopping: the body is spooled.</param>
    public async Task SendAsync(byte[] body, ExportTally tally, bool native, CancellationToken cancellationToken)
    {
        var samples = WriteRequestEncoder.CountSamples(body);
        await _order.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (native && NativeRefused)
            {
                return;
            }

            if (_spooling)
            {
                await spool.SaveAsync(config.Url, body, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                tally.Spooled(samples, null);
                return;
            }

            var result = await client.SendAsync(body, cancellationToken).ConfigureAwait(false);
            switch (result.Outcome)
            {
                case DeliveryOutcome.Delivered:
                    tally.Delivered(samples);
                    break;
                case DeliveryOutcome.Rejected when native:
                    NativeRefused = true;
                    LogNativeRefused(_logger, Receiver, result.Message ?? "rejected");
                    tally.Rejected(samples, $"native histograms refused, classic buckets still sent (set native_histograms: false for this receiver): {result.Message}");
                    break;
                case DeliveryOutcome.Rejected:
                    tally.Rejected(samples, result.Message);
                    break;
                default:
                    _spooling = true;
                    await spool.SaveAsync(config.Url, body, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                    tally.Spooled(samples, result.Message);
                    break;
            }
        }
        catch (OperationCanceledException)
        {
            // The host is stopping: nothing may be lost, so the body goes to the spool.
            await spool.SaveAsync(config.Url, body, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            tally.Spooled(samples, "cancelled while sending");
        }
        finally
        {
            _order.Release();
        }
    }

    [LoggerMessage(4005, LogLevel.Warning, "{Receiver} refused native histograms ({Reason}); its classic buckets are still sent. Set native_histograms: false for it, or enable them there (Prometheus: --enable-feature=native-histograms)")]
    private static partial void LogNativeRefused(ILogger logger, string receiver, string reason);
}
