namespace GuidellmFunctions.Engine.Runs;

/// <summary>What became of one on-demand message.</summary>
/// <param name="MessageId">The queue message id.</param>
/// <param name="Outcome">The run, when the message ran.</param>
/// <param name="PoisonReason">Why it went to the poison queue, when it did.</param>
/// <param name="Error">Why it was left on the queue for a retry, when it was.</param>
public sealed record QueueMessageResult(string MessageId, RunOutcome? Outcome, string? PoisonReason, string? Error);
