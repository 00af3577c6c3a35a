using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// A conversation whose user turns are known ahead (synthetic prompts, or a dataset's user messages): turn k sends the
/// messages before the conversation (a system prompt), every earlier question with the server's own answer, then question k.
/// </summary>
internal sealed class ChatConversation : Conversation
{
    private readonly ResolvedTarget _target;
    private readonly string _requestId;
    private readonly int _turns;
    private readonly Func<int, UserTurn> _question;
    private readonly List<ChatMessage> _history;
    private int _historyTokens;

    /// <summary>
    /// Creates a conversation of <paramref name="turns"/> questions, made by <paramref name="question"/> when their turn comes,
    /// after <paramref name="start"/> (<paramref name="startTokens"/> tokens).
    /// </summary>
    public ChatConversation(string id, ResolvedTarget target, string requestId, IReadOnlyList<ChatMessage> start, int startTokens, int turns, Func<int, UserTurn> question)
        : base(id)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(turns, 1);
        _target = target;
        _requestId = requestId;
        _turns = turns;
        _question = question;
        _history = [.. start];
        _historyTokens = startTokens;
    }

    /// <summary>The first turn.</summary>
    public PreparedRequest First() => Turn(0);

    /// <inheritdoc />
    public override PreparedRequest? Next(int turn, string answer, int answerTokens)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (turn >= _turns)
        {
            return null;
        }

        _history.Add(new ChatMessage(ChatMessage.Assistant, answer));
        _historyTokens += answerTokens;
        return Turn(turn);
    }

    private PreparedRequest Turn(int turn)
    {
        var question = _question(turn);
        _history.Add(new ChatMessage(ChatMessage.User, question.Text));
        _historyTokens += question.Tokens;
        var settings = _target.Settings;
        var output = settings.MaxTokens is { } cap ? Math.Min(question.OutputTokens, cap) : question.OutputTokens;
        var body = RequestBodyBuilder.Build(settings.RequestType, _target.Target.Model, _history, output, settings.IgnoreEos);
        var id = turn == 0 ? _requestId : $"{_requestId}-t{turn}";
        var request = new CompletionRequest(_target.Endpoint, body, id, _target.Credential, _target.CredentialHeader, _target.Target.Headers)
        {
            CaptureAnswer = turn + 1 < _turns,
        };
        return new PreparedRequest(request, _historyTokens, output) { Conversation = turn == 0 ? this : null };
    }
}
