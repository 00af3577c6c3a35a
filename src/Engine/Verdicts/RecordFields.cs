namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>The fields of one per-request record (<c>.requests.jsonl.gz</c> line) a verdict reads.</summary>
/// <param name="Stage">The stage's index.</param>
/// <param name="Measured">True when the request is in the stage's measured window (phase <c>measured</c>).</param>
/// <param name="Status"><c>successful</c>, <c>failed</c> or <c>incomplete</c>.</param>
/// <param name="SentMs">When it was sent, in ms from the stage start.</param>
/// <param name="TtftMs">Time to first token; null without one.</param>
/// <param name="TpotMs">Time per output token; null with one output token or fewer.</param>
/// <param name="E2eMs">End-to-end latency.</param>
/// <param name="OutputTokens">Output tokens.</param>
internal readonly record struct RecordFields(int Stage, bool Measured, string Status, double SentMs, double? TtftMs, double? TpotMs, double E2eMs, int OutputTokens)
{
    /// <summary>True for a successful request.</summary>
    public bool Successful => Status == "successful";
}
