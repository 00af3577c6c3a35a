using Azure;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>
/// Takes on-demand messages from the run queue the way the queue trigger does, for a KEDA ScaledJob: the message stays
/// invisible while its run lasts (renewed at half the visibility timeout), is deleted once handled (run saved, even
/// cancelled, or poisoned), and after <see cref="QueueWorkerOptions.MaxDequeueCount"/> deliveries without completing it
/// goes to the poison queue with that reason.
/// </summary>
public sealed partial class QueueWorker
{
    private readonly OnDemandRunHandler _handler;
    private readonly QueueWorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a worker.</summary>
    public QueueWorker(OnDemandRunHandler handler, QueueWorkerOptions? options = null, TimeProvider? time = null, ILogger<QueueWorker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        _options = options ?? new QueueWorkerOptions();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Handles one message (<paramref name="drain"/> false) or every message until the queue is empty.</summary>
    /// <param name="drain">Keep taking messages until none is visible.</param>
    /// <param name="onHandled">Called after each message, for progress output.</param>
    /// <param name="cancellationToken">Stops the worker: the run in progress is cancelled and its partial report saved.</param>
    public async Task<WorkerSummary> RunAsync(bool drain, Action<QueueMessageResult>? onHandled = null, CancellationToken cancellationToken = default)
    {
        var queue = _handler.Queue;
        await queue.Receiver.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var results = new List<QueueMessageResult>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var message = (await queue.Receiver.ReceiveMessageAsync(_options.VisibilityTimeout, cancellationToken).ConfigureAwait(false)).Value;
            if (message is null)
            {
                break;
            }

            var result = await HandleAsync(message, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            onHandled?.Invoke(result);
            if (!drain)
            {
                break;
            }
        }

        return new WorkerSummary(results);
    }

    private async Task<QueueMessageResult> HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        var text = RunQueue.Decode(message);
        if (message.DequeueCount > _options.MaxDequeueCount)
        {
            var reason = $"delivered {message.DequeueCount} times without completing (max_dequeue_count {_options.MaxDequeueCount})";
            await _handler.Queue.PoisonAsync(text, reason, CancellationToken.None).ConfigureAwait(false);
            await DeleteAsync(message.MessageId, message.PopReceipt).ConfigureAwait(false);
            LogPoisoned(_logger, message.MessageId, reason);
            return new QueueMessageResult(message.MessageId, null, reason, null);
        }

        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receipt = new ReceiptHolder(message.PopReceipt);
        var renewing = RenewAsync(message.MessageId, receipt, renewal.Token);
        QueueMessageResult result;
        try
        {
            result = await _handler.HandleAsync(text, message.MessageId, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // As the Functions host does: any failure leaves the message for a retry, then the poison queue.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await renewal.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
            var error = ex is OperationCanceledException ? "cancelled before the run started" : ex.Message;
            LogLeft(_logger, message.MessageId, message.DequeueCount, error);
            await ReleaseAsync(message.MessageId, receipt.Value).ConfigureAwait(false);
            return new QueueMessageResult(message.MessageId, null, null, error);
        }

        await renewal.CancelAsync().ConfigureAwait(false);
        await renewing.ConfigureAwait(false);
        await DeleteAsync(message.MessageId, receipt.Value).ConfigureAwait(false);
        return result;
    }

    private async Task RenewAsync(string messageId, ReceiptHolder receipt, CancellationToken cancellationToken)
    {
        var interval = _options.VisibilityTimeout / 2;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
                var updated = await _handler.Queue.Receiver.UpdateMessageAsync(messageId, receipt.Value, visibilityTimeout: _options.VisibilityTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
                receipt.Value = updated.Value.PopReceipt;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (RequestFailedException ex)
            {
                // The run goes on; if the message reappears, its run id keeps a second delivery from running again.
                LogRenewFailed(_logger, messageId, ex.Status, ex.ErrorCode ?? string.Empty);
            }
        }
    }

    private async Task DeleteAsync(string messageId, string popReceipt)
    {
        try
        {
            await _handler.Queue.Receiver.DeleteMessageAsync(messageId, popReceipt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            // Redelivered later, the message finds its run saved and writes nothing.
            LogDeleteFailed(_logger, messageId, ex.Status, ex.ErrorCode ?? string.Empty);
        }
    }

    private async Task ReleaseAsync(string messageId, string popReceipt)
    {
        try
        {
            await _handler.Queue.Receiver.UpdateMessageAsync(messageId, popReceipt, visibilityTimeout: _options.RetryDelay, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            LogDeleteFailed(_logger, messageId, ex.Status, ex.ErrorCode ?? string.Empty);
        }
    }

    private sealed class ReceiptHolder(string value)
    {
        public string Value { get; set; } = value;
    }

    [LoggerMessage(5101, LogLevel.Warning, "Message {MessageId} moved to the poison queue: {Reason}")]
    private static partial void LogPoisoned(ILogger logger, string messageId, string reason);

    [LoggerMessage(5102, LogLevel.Error, "Message {MessageId} (delivery {DequeueCount}) left on the queue for a retry: {Error}")]
    private static partial void LogLeft(ILogger logger, string messageId, long dequeueCount, string error);

    [LoggerMessage(5103, LogLevel.Warning, "Could not extend the visibility of message {MessageId}: {Status} {ErrorCode}")]
    private static partial void LogRenewFailed(ILogger logger, string messageId, int status, string errorCode);

    [LoggerMessage(5104, LogLevel.Warning, "Could not delete or release message {MessageId}: {Status} {ErrorCode}")]
    private static partial void LogDeleteFailed(ILogger logger, string messageId, int status, string errorCode);
}
