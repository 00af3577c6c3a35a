using System.Buffers;
using System.Text;

namespace GuidellmFunctions.Engine.Client;

/// <summary>
/// The outcome of one request: status, failure reason, timestamps and token counts. Holds its inter-token gaps in a
/// pooled buffer until <see cref="ReleaseGaps"/> is called by whoever aggregates it.
/// </summary>
public sealed class RequestResult
{
    // A request holds its gaps for its whole life, so a burst holds one buffer per open stream: ArrayPool.Shared keeps a few
    // dozen per size, and the rest would be allocated per request and die after surviving a young collection or two.
    private static readonly ArrayPool<int> GapBuffers = ArrayPool<int>.Create(1 << 24, 4096);

    private int[] _itlMicros = [];
    private StringBuilder? _answer;

    /// <summary>Position of the request in its stage, from 0.</summary>
    public long Index { get; init; }

    /// <summary>The <c>X-Request-Id</c> sent.</summary>
    public required string RequestId { get; init; }

    /// <summary>How the request ended.</summary>
    public RequestStatus Status { get; set; }

    /// <summary>Why it failed, when <see cref="Status"/> is <see cref="RequestStatus.Failed"/>.</summary>
    public FailureReason? Reason { get; set; }

    /// <summary>Failure detail; secrets removed, bounded.</summary>
    public string? Error { get; set; }

    /// <summary>HTTP status received, 0 when none.</summary>
    public int HttpStatus { get; set; }

    /// <summary>When the profile intended to send it (timestamp).</summary>
    public long ScheduledTimestamp { get; init; }

    /// <summary>Just before the HTTP send (timestamp).</summary>
    public long SentTimestamp { get; set; }

    /// <summary>First content-bearing chunk (timestamp), 0 when none.</summary>
    public long FirstContentTimestamp { get; set; }

    /// <summary>First chunk with answer content after any reasoning (timestamp), 0 when none.</summary>
    public long FirstAnswerTimestamp { get; set; }

    /// <summary>Last content-bearing chunk (timestamp), 0 when none.</summary>
    public long LastContentTimestamp { get; set; }

    /// <summary>Stream end, failure or cancellation (timestamp).</summary>
    public long EndTimestamp { get; set; }

    /// <summary>Timestamp frequency of the clock used, ticks per second.</summary>
    public long TimestampFrequency { get; init; } = TimeProvider.System.TimestampFrequency;

    /// <summary>Content-bearing chunks received.</summary>
    public int ContentChunks { get; set; }

    /// <summary>Prompt tokens the generator aimed for.</summary>
    public int PromptTokensTarget { get; init; }

    /// <summary>Output tokens requested (<c>max_tokens</c>).</summary>
    public int OutputTokensTarget { get; init; }

    /// <summary>Server-reported prompt tokens, -1 when not reported.</summary>
    public int UsagePromptTokens { get; set; } = -1;

    /// <summary>Server-reported completion tokens, -1 when not reported.</summary>
    public int UsageOutputTokens { get; set; } = -1;

    /// <summary>Server-reported reasoning tokens (<c>usage.completion_tokens_details.reasoning_tokens</c>), -1 when not reported.</summary>
    public int UsageReasoningTokens { get; set; } = -1;

    /// <summary>
    /// How long opening the connection the request went out on took (TCP connect, a proxy's tunnel, the TLS handshake),
    /// part of its TTFT: 0 on a connection opened before; null when no response came.
    /// </summary>
    internal double? ConnectMs { get; set; }

    /// <summary>The server's Retry-After on a 429/503, when given.</summary>
    public TimeSpan? RetryAfter { get; set; }

    /// <summary>Output tokens: usage when reported, else content chunks.</summary>
    public int OutputTokens => UsageOutputTokens >= 0 ? UsageOutputTokens : ContentChunks;

    /// <summary>Source of <see cref="OutputTokens"/>.</summary>
    public TokenSource OutputTokenSource => UsageOutputTokens >= 0 ? TokenSource.Usage : ContentChunks > 0 ? TokenSource.Chunks : TokenSource.None;

    /// <summary>Prompt tokens: usage when reported, else the generator's count.</summary>
    public int PromptTokens => UsagePromptTokens >= 0 ? UsagePromptTokens : PromptTokensTarget;

    /// <summary>Sent − scheduled, in ms (coordinated omission made visible).</summary>
    public double DispatchDelayMs => Math.Max(0, Ms(SentTimestamp - ScheduledTimestamp));

    /// <summary>First content chunk − sent, in ms; null without content.</summary>
    public double? TtftMs => FirstContentTimestamp == 0 ? null : Ms(FirstContentTimestamp - SentTimestamp);

    /// <summary>First answer chunk (after any reasoning) − sent, in ms; null without answer content.</summary>
    public double? TtfoMs => FirstAnswerTimestamp == 0 ? null : Ms(FirstAnswerTimestamp - SentTimestamp);

    /// <summary>Stream end − sent, in ms.</summary>
    public double E2eMs => Ms(EndTimestamp - SentTimestamp);

    /// <summary>(last content − first content) / (output tokens − 1), in ms; null with fewer than 2 tokens.</summary>
    public double? TpotMs => OutputTokens > 1 && FirstContentTimestamp != 0 ? Ms(LastContentTimestamp - FirstContentTimestamp) / (OutputTokens - 1) : null;

    /// <summary>The conversation the request is a turn of; null for a single request.</summary>
    public string? ConversationId { get; set; }

    /// <summary>The request's turn in its conversation, from 0; null for a single request.</summary>
    public int? Turn { get; set; }

    /// <summary>The answer's text, kept only when the request asked for it (<see cref="CompletionRequest.CaptureAnswer"/>).</summary>
    public string? Answer => _answer?.ToString();

    /// <summary>Number of inter-token gaps recorded.</summary>
    public int ItlCount { get; private set; }

    /// <summary>The inter-token gaps, in microseconds. Valid until <see cref="ReleaseGaps"/>.</summary>
    public ReadOnlySpan<int> ItlMicros => _itlMicros.AsSpan(0, ItlCount);

    /// <summary>Adds a gap between two content chunks.</summary>
    public void AddGap(long ticks)
    {
        if (ItlCount == _itlMicros.Length)
        {
            var bigger = GapBuffers.Rent(Math.Max(64, _itlMicros.Length * 2));
            _itlMicros.AsSpan().CopyTo(bigger);
            if (_itlMicros.Length > 0)
            {
                GapBuffers.Return(_itlMicros);
            }

            _itlMicros = bigger;
        }

        _itlMicros[ItlCount++] = (int)Math.Min(int.MaxValue, ticks * 1_000_000 / TimestampFrequency);
    }

    /// <summary>Adds answer text of a chunk.</summary>
    internal void AppendAnswer(string text) => (_answer ??= new StringBuilder()).Append(text);

    /// <summary>Returns the gap buffer to the pool; the gaps are gone afterwards.</summary>
    public void ReleaseGaps()
    {
        if (_itlMicros.Length > 0)
        {
            GapBuffers.Return(_itlMicros);
        }

        _itlMicros = [];
        ItlCount = 0;
    }

    private double Ms(long ticks) => ticks * 1000.0 / TimestampFrequency;
}
