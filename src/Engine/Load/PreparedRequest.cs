using GuidellmFunctions.Engine.Client;

namespace GuidellmFunctions.Engine.Load;

/// <summary>A request built ahead of its send time.</summary>
/// <param name="Request">What to send.</param>
/// <param name="PromptTokens">Prompt tokens (cl100k_base count of the prompt).</param>
/// <param name="OutputTokens"><c>max_tokens</c> sent.</param>
internal sealed record PreparedRequest(CompletionRequest Request, int PromptTokens, int OutputTokens)
{
    /// <summary>The conversation this request opens; its later turns follow the answers. Null for a single request.</summary>
    public Conversation? Conversation { get; init; }
}
