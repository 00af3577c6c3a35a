using System.Text.Json;
using Azure.Storage.Queues;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Runs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GuidellmFunctions.Functions.Triggers;

/// <summary>
/// Runs the load test a queue message asks for. A message that can never succeed is moved to <c>&lt;queue&gt;-poison</c> at
/// once with the reason, without retries; a valid one runs under its run id, so a redelivery writes no second report.
/// </summary>
public sealed partial class OnDemandLoadTest(LoadTestService service, ConfigLoader loader, IOptions<GuidellmEngineOptions> options, TriggerSettings settings, ILogger<OnDemandLoadTest> logger)
{
    /// <summary>The queue trigger.</summary>
    [Function(nameof(OnDemandLoadTest))]
    public Task RunAsync([QueueTrigger("%GUIDELLM_QUEUE%", Connection = "AzureWebJobsStorage")] string message, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = context.BindingContext.BindingData.TryGetValue("Id", out var value) ? value?.ToString() : null;
        return HandleAsync(message, id ?? Guid.NewGuid().ToString("N"), context.CancellationToken);
    }

    /// <summary>Handles one message; returns null when it went to the poison queue.</summary>
    internal async Task<RunOutcome?> HandleAsync(string message, string messageId, CancellationToken cancellationToken)
    {
        var config = loader.LoadFile(options.Value.ConfigPath!);
        var request = RunRequestParser.Parse(message, config, "queue-" + messageId, out var reason);
        if (request is null)
        {
            await PoisonAsync(message, reason!, cancellationToken).ConfigureAwait(false);
            return null;
        }

        LogStarting(logger, request.RunId, request.Environment, request.Targets.Count == 0 ? "all" : string.Join(",", request.Targets), request.RequestedBy ?? "unknown");
        var targets = config.ResolveTargets(request.Environment, request.Targets, request.Overrides);
        return await service.RunAsync(config, targets, request.RunId, RunTrigger.Queue, options.Value.OutputDirectory, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task PoisonAsync(string message, string reason, CancellationToken cancellationToken)
    {
        var poison = new QueueClient(settings.Connection, settings.Queue + "-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["reason"] = reason, ["message"] = message });
        await poison.SendMessageAsync(body, cancellationToken).ConfigureAwait(false);
        LogPoisoned(logger, settings.Queue + "-poison", reason);
    }

    [LoggerMessage(5001, LogLevel.Information, "On-demand run {RunId} of {Environment} ({Targets}) requested by {RequestedBy}")]
    private static partial void LogStarting(ILogger logger, string runId, string environment, string targets, string requestedBy);

    [LoggerMessage(5002, LogLevel.Warning, "Message moved to {Queue}: {Reason}")]
    private static partial void LogPoisoned(ILogger logger, string queue, string reason);
}
