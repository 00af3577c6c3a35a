using GuidellmFunctions.Engine.Runs;
using Microsoft.Azure.Functions.Worker;

namespace GuidellmFunctions.Functions.Triggers;

/// <summary>
/// Runs the load test a queue message asks for. A message that can never succeed is moved to <c>&lt;queue&gt;-poison</c> at
/// once with the reason, without retries; a valid one runs under its run id, so a redelivery writes no second report.
/// The KEDA worker (<c>guidellm-runner worker</c>) handles messages with the same <see cref="OnDemandRunHandler"/>.
/// </summary>
public sealed class OnDemandLoadTest(OnDemandRunHandler handler)
{
    /// <summary>The queue trigger.</summary>
    [Function(nameof(OnDemandLoadTest))]
    public Task RunAsync([QueueTrigger("%GUIDELLM_QUEUE%", Connection = "AzureWebJobsStorage")] string message, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = context.BindingContext.BindingData.TryGetValue("Id", out var value) ? value?.ToString() : null;
        return HandleAsync(message, id ?? Guid.NewGuid().ToString("N"), context.CancellationToken);
    }

    /// <summary>Handles one message: the run's outcome, or the reason it went to the poison queue.</summary>
    internal Task<QueueMessageResult> HandleAsync(string message, string messageId, CancellationToken cancellationToken) =>
        handler.HandleAsync(message, messageId, cancellationToken);
}
