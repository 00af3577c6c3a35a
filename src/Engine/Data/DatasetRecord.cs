using GuidellmFunctions.Engine.Client;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// One usable record of a dataset: the messages of a prompt or conversation (the dataset's own assistant messages are
/// reference answers, used only for their length), or one request of a trace.
/// </summary>
internal sealed record DatasetRecord
{
    /// <summary>The line the record starts on.</summary>
    public long Line { get; init; }

    /// <summary>System, user and reference assistant messages, in order; empty for a trace.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];

    /// <summary>
    /// The first user message's text as the record writes it, a JSON string with its quotes and escapes, when that text is
    /// one JSON string; null otherwise (CSV, content parts). A request of that one question copies it into its body as it is.
    /// </summary>
    public byte[]? QuestionJson { get; init; }

    /// <summary>An output length the record gives for its first answer (<c>output_tokens</c>, a CSV column, <c>max_tokens</c>).</summary>
    public int? OutputTokens { get; init; }

    /// <summary>A trace's arrival time in milliseconds (from any origin: replay counts from the first record).</summary>
    public double? TimestampMs { get; init; }

    /// <summary>A trace's prompt length in tokens.</summary>
    public int InputLength { get; init; }

    /// <summary>Mooncake's prefix block ids: requests sharing an id share that block of the prompt; null when none.</summary>
    public IReadOnlyList<long>? HashIds { get; init; }

    /// <summary>True for a trace record (lengths, no text).</summary>
    public bool IsTrace => Messages.Count == 0;
}
