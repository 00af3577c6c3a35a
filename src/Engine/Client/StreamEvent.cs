namespace GuidellmFunctions.Engine.Client;

/// <summary>One step of a streamed completion, timestamped when its bytes arrived.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Timestamp"><see cref="TimeProvider.GetTimestamp"/> when the bytes arrived.</param>
/// <param name="Chunk">The parsed chunk, for <see cref="StreamEventKind.Chunk"/>.</param>
/// <param name="StatusCode">HTTP status, for <see cref="StreamEventKind.Headers"/> and HTTP failures.</param>
/// <param name="Reason">Failure class, for <see cref="StreamEventKind.Failure"/>.</param>
/// <param name="Message">Failure detail (server text bounded and secrets removed).</param>
/// <param name="RetryAfter">The server's Retry-After, when it sent one.</param>
/// <param name="ConnectTime">For <see cref="StreamEventKind.Headers"/> and HTTP failures: how long opening the connection took when the request opened one, else zero.</param>
internal readonly record struct StreamEvent(
    StreamEventKind Kind,
    long Timestamp,
    ChunkInfo Chunk = default,
    int StatusCode = 0,
    FailureReason Reason = default,
    string? Message = null,
    TimeSpan? RetryAfter = null,
    TimeSpan ConnectTime = default);
