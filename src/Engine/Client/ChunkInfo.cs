namespace GuidellmFunctions.Engine.Client;

/// <summary>What one SSE chunk (or a whole non-streamed body) carried, parsed without materializing its text.</summary>
internal struct ChunkInfo
{
    /// <summary>The chunk carries content, reasoning, a refusal or tool calls: it counts for TTFT and ITL.</summary>
    public bool HasContent { get; set; }

    /// <summary>
    /// The chunk carries answer content: content, a refusal, tool calls or completion text, not reasoning alone. The first
    /// such chunk is the time to first output token (TTFO).
    /// </summary>
    public bool HasAnswer { get; set; }

    /// <summary>Bytes of content text in the chunk (JSON-escaped length).</summary>
    public int ContentBytes { get; set; }

    /// <summary>A choice carried a non-null <c>finish_reason</c>.</summary>
    public bool HasFinishReason { get; set; }

    /// <summary><c>usage.prompt_tokens</c>, or -1 when absent.</summary>
    public int PromptTokens { get; set; }

    /// <summary><c>usage.completion_tokens</c>, or -1 when absent.</summary>
    public int CompletionTokens { get; set; }

    /// <summary><c>usage.completion_tokens_details.reasoning_tokens</c>, or -1 when absent.</summary>
    public int ReasoningTokens { get; set; }

    /// <summary>
    /// The answer text of the chunk (<c>content</c>, or <c>text</c> of a completion; not reasoning or tool calls), only when
    /// the request asked for it (<see cref="CompletionRequest.CaptureAnswer"/>); null otherwise.
    /// </summary>
    public string? Answer { get; set; }

    /// <summary>The error message when the chunk is an <c>{"error": ...}</c> object; null otherwise.</summary>
    public string? Error { get; set; }

    /// <summary>A chunk with nothing parsed yet.</summary>
    public static ChunkInfo Empty => new() { PromptTokens = -1, CompletionTokens = -1, ReasoningTokens = -1 };
}
