namespace GuidellmFunctions.Engine.Client;

/// <summary>One message of a chat request: a dataset's system or user message, or a server's earlier answer.</summary>
/// <param name="Role"><c>system</c>, <c>user</c> or <c>assistant</c>.</param>
/// <param name="Content">The text.</param>
internal readonly record struct ChatMessage(string Role, string Content)
{
    /// <summary>The role of the server's own answers.</summary>
    public const string Assistant = "assistant";

    /// <summary>The role of the questions.</summary>
    public const string User = "user";

    /// <summary>The role of instructions before the conversation.</summary>
    public const string System = "system";
}
