using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// One receiver's ordered delivery: bodies are sent one at a time, and once one has been spooled every later body of
/// the run is spooled too, because a receiver refuses samples older than those it already holds for a series.
/// </summary>
internal sealed class ReceiverChannel(RemoteWriteConfig config, RemoteWriteClient client, SampleSpool spool, TimeProvider time)
{
    private readonly SemaphoreSlim _order = new(1, 1);
    private bool _spooling;

    public RemoteWriteConfig Config => config;

    public string Receiver => client.Receiver;

    public long Replayed { get; private set; }

    public List<string> ReplayErrors { get; } = [];

    /// <summary>Replays the spool in order; stops at the first body that still cannot be delivered.</summary>
    public async Task ReplayAsync(CancellationToken cancellationToken)
    {
        await _order.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var path in spool.Pending(config.Url))
            {
                var body = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
                var result = await client.SendAsync(body, cancellationToken).ConfigureAwait(false);
                switch (result.Outcome)
                {
                    case DeliveryOutcome.Delivered:
                        Replayed += WriteRequestEncoder.CountSamples(body);
                        File.Delete(path);
                        break;
                    case DeliveryOutcome.Rejected:
                        ReplayErrors.Add($"replay rejected: {result.Message}");
                        spool.Reject(path, result.Message ?? "rejected");
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
    public async Task SendAsync(byte[] body, ExportTally tally, CancellationToken cancellationToken)
    {
        var samples = WriteRequestEncoder.CountSamples(body);
        await _order.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_spooling)
            {
                spool.Save(config.Url, body, time.GetUtcNow());
                tally.Spooled(samples, null);
                return;
            }

            var result = await client.SendAsync(body, cancellationToken).ConfigureAwait(false);
            switch (result.Outcome)
            {
                case DeliveryOutcome.Delivered:
                    tally.Delivered(samples);
                    break;
                case DeliveryOutcome.Rejected:
                    tally.Rejected(samples, result.Message);
                    break;
                default:
                    _spooling = true;
                    spool.Save(config.Url, body, time.GetUtcNow());
                    tally.Spooled(samples, result.Message);
                    break;
            }
        }
        catch (OperationCanceledException)
        {
            // The host is stopping: nothing may be lost, so the body goes to the spool.
            spool.Save(config.Url, body, time.GetUtcNow());
            tally.Spooled(samples, "cancelled while sending");
        }
        finally
        {
            _order.Release();
        }
    }
}
