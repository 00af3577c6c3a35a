namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// A multi-turn conversation: its first turn is prepared by the request source, and each later turn is built from the
/// server's actual answers so far, sent back as the history. The stage runs the turns one after another, each
/// <c>think_time</c> after the previous answer.
/// </summary>
internal abstract class Conversation
{
    /// <summary>Creates a conversation called <paramref name="id"/> in the per-request records.</summary>
    protected Conversation(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        Id = id;
    }

    /// <summary>The conversation's id in the per-request records (<c>conversationId</c>).</summary>
    public string Id { get; }

    /// <summary>
    /// The request of turn <paramref name="turn"/> (from 1) after the previous turn was answered with
    /// <paramref name="answer"/> (<paramref name="answerTokens"/> tokens by the server's count); null when the conversation has
    /// no more turns.
    /// </summary>
    public abstract PreparedRequest? Next(int turn, string answer, int answerTokens);
}
