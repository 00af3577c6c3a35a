using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>
/// Handles one on-demand message, the same way for the queue trigger and the KEDA worker: a message that can never
/// succeed goes to the poison queue at once with the reason; a valid one runs under its run id, so a redelivery writes
/// no second report and sends no second burst.
/// </summary>
public sealed partial class OnDemandRunHandler
{
    private readonly LoadTestService _service;
    private readonly ConfigSource _config;
    private readonly RunQueue _queue;
    private readonly string _outputDirectory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the handler.</summary>
    /// <param name="service">Runs the targets.</param>
    /// <param name="config">The config, read again for every message.</param>
    /// <param name="queue">The run queue, for its poison queue.</param>
    /// <param name="outputDirectory">Local reports, pending reports, spool and staging files.</param>
    /// <param name="logger">Logs requests and poisoned messages.</param>
    /// <param name="time">The clock shards wait on until their <c>startAt</c>.</param>
    public OnDemandRunHandler(LoadTestService service, ConfigSource config, RunQueue queue, string outputDirectory, ILogger<OnDemandRunHandler>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        _service = service;
        _config = config;
        _queue = queue;
        _outputDirectory = outputDirectory;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The run queue.</summary>
    public RunQueue Queue => _queue;

    /// <summary>Handles <paramref name="message"/>; the run id defaults to <c>queue-&lt;messageId&gt;</c>.</summary>
    /// <returns>The run's outcome, or the reason the message went to the poison queue.</returns>
    /// <exception cref="ConfigValidationException">The config cannot be read: the message may succeed later, so it is not poisoned.</exception>
    public async Task<QueueMessageResult> HandleAsync(string message, string messageId, CancellationToken cancellationToken)
    {
        var config = await _config.LoadAsync(cancellationToken).ConfigureAwait(false);
        var request = RunRequestParser.Parse(message, config, "queue-" + messageId, out var reason);
        if (request is null)
        {
            await _queue.PoisonAsync(message, reason!, cancellationToken).ConfigureAwait(false);
            LogPoisoned(_logger, _queue.PoisonName, reason!);
            return new QueueMessageResult(messageId, null, reason, null);
        }

        var targets = config.ResolveTargets(request.Environment, request.Targets, request.Overrides);
        if (request.MergeCheck)
        {
            return await CheckAsync(config, request, targets, message, messageId, cancellationToken).ConfigureAwait(false);
        }

        if (request is { Shards: { } count, Shard: null })
        {
            await FanOutAsync(request, targets, message, count, cancellationToken).ConfigureAwait(false);
            return new QueueMessageResult(messageId, null, null, null);
        }

        LogStarting(_logger, request.RunId, request.Environment, request.Targets.Count == 0 ? "all" : string.Join(",", request.Targets), request.RequestedBy ?? "unknown");
        if (request is { Shard: { } index, Shards: { } shards })
        {
            var startAt = request.StartAt ?? _time.GetUtcNow();
            var wait = startAt - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }

            var skew = _time.GetUtcNow() - startAt;
            var shard = new Shards.ShardAssignment(index, shards, startAt, skew > TimeSpan.Zero ? skew : TimeSpan.Zero);
            LogShard(_logger, request.RunId, index, shards, shard.StartSkew.TotalMilliseconds);
            targets = [.. targets.Select(t => Shards.ShardPlanner.Assign(t, shard))];
        }

        var outcome = await _service.RunAsync(config, targets, request.RunId, RunTrigger.Queue, _outputDirectory, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var merge in outcome.Merges)
        {
            LogMerge(_logger, merge);
        }

        if (outcome.Results.Count == 0 && outcome.Refused.Count > 0)
        {
            var refusal = string.Join("; ", outcome.Refused);
            await _queue.PoisonAsync(message, refusal, cancellationToken).ConfigureAwait(false);
            LogPoisoned(_logger, _queue.PoisonName, refusal);
            return new QueueMessageResult(messageId, null, refusal, null);
        }

        return new QueueMessageResult(messageId, outcome, null, null);
    }

    private async Task FanOutAsync(RunRequest request, IReadOnlyList<Configuration.ResolvedTarget> targets, string message, int count, CancellationToken cancellationToken)
    {
        var startAt = request.StartAt ?? _time.GetUtcNow() + ShardMessages.DefaultStartDelay;
        for (var i = 1; i <= count; i++)
        {
            await _queue.SendAsync(ShardMessages.Shard(message, i, count, startAt), cancellationToken).ConfigureAwait(false);
        }

        var checkAt = ShardMessages.CheckAt(request, targets, startAt);
        await _queue.SendLaterAsync(ShardMessages.Check(message, count, startAt), checkAt - _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        LogFannedOut(_logger, request.RunId, count, startAt, checkAt);
    }

    private async Task<QueueMessageResult> CheckAsync(RunnerConfig config, RunRequest request, IReadOnlyList<Configuration.ResolvedTarget> targets, string message, string messageId, CancellationToken cancellationToken)
    {
        var startAt = request.StartAt!.Value;
        var checkAt = ShardMessages.CheckAt(request, targets, startAt);
        if (checkAt > _time.GetUtcNow())
        {
            // Early (posted without the config, or the config's max_seconds grew): look again when the shards should be done.
            await _queue.SendLaterAsync(message, checkAt - _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            return new QueueMessageResult(messageId, null, null, null);
        }

        var results = await _service.MergeLateAsync(config, targets, request.RunId, request.Shards!.Value, startAt, _outputDirectory, _time.GetUtcNow(), request.MergeGrace ?? ShardMessages.Grace, cancellationToken).ConfigureAwait(false);
        foreach (var result in results)
        {
            LogMerge(_logger, result.Outcome);
        }

        // A merge claimed by another caller that may have crashed: look again when the claim turns stale.
        if (results.Select(r => r.RetryAt).Max() is { } retryAt)
        {
            await _queue.SendLaterAsync(message, retryAt - _time.GetUtcNow() + TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }

        return new QueueMessageResult(messageId, null, null, null);
    }

    [LoggerMessage(5001, LogLevel.Information, "On-demand run {RunId} of {Environment} ({Targets}) requested by {RequestedBy}")]
    private static partial void LogStarting(ILogger logger, string runId, string environment, string targets, string requestedBy);

    [LoggerMessage(5002, LogLevel.Warning, "Message moved to {Queue}: {Reason}")]
    private static partial void LogPoisoned(ILogger logger, string queue, string reason);

    [LoggerMessage(5003, LogLevel.Information, "Run {RunId} fanned out into {Shards} shard messages starting at {StartAt:O}; late merge check at {CheckAt:O}")]
    private static partial void LogFannedOut(ILogger logger, string runId, int shards, DateTimeOffset startAt, DateTimeOffset checkAt);

    [LoggerMessage(5004, LogLevel.Information, "Run {RunId} shard {Shard} of {Shards} starting, {SkewMs} ms after startAt")]
    private static partial void LogShard(ILogger logger, string runId, int shard, int shards, double skewMs);

    [LoggerMessage(5005, LogLevel.Information, "Shard merge: {Outcome}")]
    private static partial void LogMerge(ILogger logger, string outcome);
}
