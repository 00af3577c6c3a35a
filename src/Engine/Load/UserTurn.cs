namespace GuidellmFunctions.Engine.Load;

/// <summary>One question of a conversation.</summary>
/// <param name="Text">The user message.</param>
/// <param name="Tokens">Its tokens (cl100k_base).</param>
/// <param name="OutputTokens"><c>max_tokens</c> for its answer.</param>
internal readonly record struct UserTurn(string Text, int Tokens, int OutputTokens);
