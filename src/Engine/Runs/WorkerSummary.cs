namespace GuidellmFunctions.Engine.Runs;

/// <summary>What a worker invocation did.</summary>
/// <param name="Messages">Each message taken, in order.</param>
public sealed record WorkerSummary(IReadOnlyList<QueueMessageResult> Messages)
{
    /// <summary>True when every message was handled and every run it asked for completed.</summary>
    public bool Succeeded => Messages.All(m => m.Error is null && (m.Outcome?.Succeeded ?? true));
}
