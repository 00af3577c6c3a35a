namespace GuidellmFunctions.Engine.Configuration;

/// <summary>The OpenAI-compatible API a target is driven through.</summary>
public enum RequestType
{
    /// <summary><c>POST /v1/chat/completions</c> with a single user message.</summary>
    ChatCompletions,

    /// <summary><c>POST /v1/completions</c> with a plain prompt.</summary>
    TextCompletions,
}
