namespace GuidellmFunctions.Engine.Runs;

/// <summary>How the KEDA worker treats queue messages; the defaults match host.json's queue settings.</summary>
public sealed record QueueWorkerOptions
{
    /// <summary>How long a taken message stays invisible; renewed at half this while its run lasts.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Deliveries after which a message that never completed goes to the poison queue (host.json maxDequeueCount).</summary>
    public long MaxDequeueCount { get; init; } = 3;

    /// <summary>How long a message whose handling failed stays invisible before its retry (host.json visibilityTimeout).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}
