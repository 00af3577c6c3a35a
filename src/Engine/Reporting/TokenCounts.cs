namespace GuidellmFunctions.Engine.Reporting;

/// <summary>Token totals of successful requests in the window.</summary>
/// <param name="Prompt">Prompt tokens (server usage where reported, else the generator's count).</param>
/// <param name="Output">Output tokens (server usage where reported, else content chunks).</param>
/// <param name="OutputSource"><c>usage</c>, <c>chunks</c>, <c>mixed</c> or <c>none</c>.</param>
/// <param name="PromptTarget">Prompt tokens the generator aimed for (cl100k_base count), beside the server's figure.</param>
/// <param name="OutputTarget">Output tokens requested (<c>max_tokens</c>).</param>
public sealed record TokenCounts(long Prompt, long Output, string OutputSource, long PromptTarget, long OutputTarget)
{
    /// <summary>Reasoning tokens, part of <see cref="Output"/>, of the requests whose server reported them; null when none did.</summary>
    public long? Reasoning { get; init; }
}
