namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Text names of <see cref="RequestType"/> as written in configs, flags and reports.</summary>
internal static class RequestTypeNames
{
    /// <summary>Each request type's written name, and the other names accepted.</summary>
    public static EnumNames<RequestType> Names { get; } = new(
        (RequestType.ChatCompletions, "chat_completions", ["chat"]),
        (RequestType.TextCompletions, "text_completions", ["completions", "text"]));
}
