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

    /// <summary>Creates the handler.</summary>
    /// <param name="service">Runs the targets.</param>
    /// <param name="config">The config, read again for every message.</param>
    /// <param name="queue">The run queue, for its poison queue.</param>
    /// <param name="outputDirectory">Local reports, pending reports, spool and staging files.</param>
    /// <param name="logger">Logs requests and poisoned messages.</param>
    public OnDemandRunHandler(LoadTestService service, ConfigSource config, RunQueue queue, string outputDirectory, ILogger<OnDemandRunHandler>? logger = null)
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

        LogStarting(_logger, request.RunId, request.Environment, request.Targets.Count == 0 ? "all" : string.Join(",", request.Targets), request.RequestedBy ?? "unknown");
        var targets = config.ResolveTargets(request.Environment, request.Targets, request.Overrides);
        var outcome = await _service.RunAsync(config, targets, request.RunId, RunTrigger.Queue, _outputDirectory, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new QueueMessageResult(messageId, outcome, null, null);
    }

    [LoggerMessage(5001, LogLevel.Information, "On-demand run {RunId} of {Environment} ({Targets}) requested by {RequestedBy}")]
    private static partial void LogStarting(ILogger logger, string runId, string environment, string targets, string requestedBy);

    [LoggerMessage(5002, LogLevel.Warning, "Message moved to {Queue}: {Reason}")]
    private static partial void LogPoisoned(ILogger logger, string queue, string reason);
}
