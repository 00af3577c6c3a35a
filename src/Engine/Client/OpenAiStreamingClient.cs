using System.Buffers;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Client;

/// <summary>
/// Streams OpenAI-compatible completions. Every outcome the server can produce is an event, not an exception:
/// HTTP errors, error objects inside a 200 stream, invalid chunks and oversized events end the sequence with a
/// <see cref="StreamEventKind.Failure"/>. Only transport faults and cancellation surface as exceptions.
/// </summary>
internal sealed class OpenAiStreamingClient
{
    private const int ErrorBodyBytes = 4096;
    private const int ResponseEndBytes = 4096;
    private static readonly TimeSpan ResponseEndTime = TimeSpan.FromSeconds(2);

    private readonly ITargetTransport _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxEventBytes;

    /// <summary>Creates a client over <paramref name="http"/>, whose <see cref="HttpClient.Timeout"/> should be infinite.</summary>
    public OpenAiStreamingClient(HttpClient http, TimeProvider time, ILogger? logger = null, int maxEventBytes = 16 * 1024 * 1024)
        : this(new HttpClientTransport(http), time, logger, maxEventBytes)
    {
    }

    /// <summary>Creates a client sending through <paramref name="transport"/>.</summary>
    public OpenAiStreamingClient(ITargetTransport transport, TimeProvider time, ILogger? logger = null, int maxEventBytes = 16 * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(time);
        _transport = transport;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _maxEventBytes = maxEventBytes;
    }

    /// <summary>
    /// Opens a connection to the target and runs the HTTP stack once, with a GET of its model list as guidellm validates a
    /// backend, so the first measured request pays neither the TCP/TLS handshake nor the client's first-use costs.
    /// </summary>
    /// <returns>The HTTP status, or null when the target could not be reached (the burst will report why).</returns>
    public async Task<int?> WarmUpAsync(CompletionRequest template, TimeSpan timeout, CancellationToken cancellationToken) =>
        (await ProbeModelsAsync(template, timeout, cancellationToken).ConfigureAwait(false)).Status;

    /// <summary>
    /// Asks the target for its model list before the clock starts (the pre-flight): the same GET as
    /// <see cref="WarmUpAsync"/>, keeping what the server said (the models it lists, or its error) so a target that cannot
    /// serve the burst fails at once instead of refusing every request.
    /// </summary>
    public async Task<ModelsProbe> ProbeModelsAsync(CompletionRequest template, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (template.ModelsEndpoint is null)
        {
            return ModelsProbe.NotAsked;
        }

        using var limit = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            var response = await _transport.SendAsync(template, TargetRequestKind.Models, linked.Token).ConfigureAwait(false);
            await using (response.ConfigureAwait(false))
            {
                var body = await ReadErrorBodyAsync(response, linked.Token).ConfigureAwait(false);
                await response.Body.CopyToAsync(Stream.Null, linked.Token).ConfigureAwait(false);
                return response.IsSuccessStatusCode
                    ? new ModelsProbe(response.StatusCode, ModelsProbe.ParseModels(body), null)
                    : new ModelsProbe(response.StatusCode, null, ServerMessages.Extract(Redacted(body.Trim(), template)));
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ModelsProbe.NotAsked;
        }
    }

    /// <summary>
    /// Opens connections to <paramref name="template"/>'s target until <paramref name="connections"/> are ready (see
    /// <see cref="ITargetTransport.PreopenAsync"/>); returns how many are.
    /// </summary>
    public ValueTask<int> PreopenAsync(CompletionRequest template, int connections, CancellationToken cancellationToken) =>
        _transport.PreopenAsync(template, connections, cancellationToken);

    /// <summary>Sends <paramref name="request"/> and yields its events as they arrive.</summary>
    public async IAsyncEnumerable<StreamEvent> StreamAsync(CompletionRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            Log.RequestBody(_logger, request.RequestId, Reporting.EffectiveConfig.RedactUrl(request.Endpoint), Encoding.UTF8.GetString(request.Body.Span));
        }

        var response = await _transport.SendAsync(request, TargetRequestKind.Completion, cancellationToken).ConfigureAwait(false);
        await using var disposeResponse = response.ConfigureAwait(false);
        var status = response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            var body = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
            var text = status is >= 300 and < 400 ? Redirect(response.Location, request) : Redacted(body.Trim(), request);
            yield return new StreamEvent(StreamEventKind.Failure, _time.GetTimestamp(), StatusCode: status,
                Reason: FailureReasons.FromStatus(status), Message: $"HTTP {status}: {text}", RetryAfter: RetryAfter(response.RetryAfter), ConnectTime: response.ConnectTime);
            yield break;
        }

        if (response.ContentEncoding is { } encoding)
        {
            yield return new StreamEvent(StreamEventKind.Failure, _time.GetTimestamp(), StatusCode: status, Reason: FailureReason.Protocol, Message: Compressed(encoding, request), ConnectTime: response.ConnectTime);
            yield break;
        }

        yield return new StreamEvent(StreamEventKind.Headers, _time.GetTimestamp(), StatusCode: status, ConnectTime: response.ConnectTime);
        var stream = response.Body;
        if (string.Equals(response.MediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            // A non-streaming request, or a server that ignored stream:true: one JSON body, read as one chunk.
            yield return await ReadWholeBodyAsync(stream, request, cancellationToken).ConfigureAwait(false);
            yield return new StreamEvent(StreamEventKind.Done, _time.GetTimestamp());
            yield break;
        }

        using var reader = new SseReader(stream, _time, _maxEventBytes);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result == SseReadResult.EndOfStream)
            {
                yield return new StreamEvent(StreamEventKind.EndOfStream, reader.Timestamp);
                yield break;
            }

            if (result == SseReadResult.TooLarge)
            {
                yield return Failure(FailureReason.Protocol, $"SSE event larger than {_maxEventBytes} bytes", reader.Timestamp);
                yield break;
            }

            var evt = Interpret(reader, request);
            yield return evt;
            if (evt.Kind == StreamEventKind.Done)
            {
                await ReadResponseEndAsync(stream, cancellationToken).ConfigureAwait(false);
                yield break;
            }

            if (evt.Kind == StreamEventKind.Failure)
            {
                yield break;
            }
        }
    }

    private StreamEvent Interpret(SseReader reader, CompletionRequest request)
    {
        var data = reader.Data.Trim(" \t"u8);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            Log.ResponseChunk(_logger, request.RequestId, Encoding.UTF8.GetString(data));
        }

        if (data.SequenceEqual("[DONE]"u8))
        {
            return new StreamEvent(StreamEventKind.Done, reader.Timestamp);
        }

        if (!ChunkParser.TryParse(data, request.CaptureAnswer, out var chunk, out var error))
        {
            return reader.IsErrorEvent
                ? Failure(FailureReason.StreamError, "error event: " + Redacted(Encoding.UTF8.GetString(data), request), reader.Timestamp)
                : Failure(FailureReason.Protocol, error!, reader.Timestamp);
        }

        if (chunk.Error is not null || reader.IsErrorEvent)
        {
            return Failure(FailureReason.StreamError, "error in stream: " + Redacted(chunk.Error ?? "event: error", request), reader.Timestamp);
        }

        return new StreamEvent(StreamEventKind.Chunk, reader.Timestamp, chunk);
    }

    /// <summary>
    /// Reads what is left of a response after its <c>[DONE]</c> (the last chunk of its framing, usually sent a moment
    /// later), as OpenAI's own client does, so the connection is free for the stream's next request: left to drain in the
    /// background, it would still be busy when that request starts and make it open another. Bounded; never throws.
    /// </summary>
    private async ValueTask ReadResponseEndAsync(Stream body, CancellationToken cancellationToken)
    {
        using var time = new CancellationTokenSource(ResponseEndTime, _time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, time.Token);
        var scratch = ArrayPool<byte>.Shared.Rent(ResponseEndBytes);
        try
        {
            for (var total = 0; total < ResponseEndBytes;)
            {
                var read = await body.ReadAsync(scratch.AsMemory(0, ResponseEndBytes - total), limit.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                total += read;
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            // The request has succeeded; the transport closes a connection whose response did not end cleanly.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<StreamEvent> ReadWholeBodyAsync(Stream stream, CompletionRequest request, CancellationToken cancellationToken)
    {
        // Pooled: a non-streaming burst reads one body per request, tens of thousands a second.
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var length = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
                if (length > _maxEventBytes)
                {
                    return Failure(FailureReason.Protocol, $"response body larger than {_maxEventBytes} bytes", _time.GetTimestamp());
                }

                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            var timestamp = _time.GetTimestamp();
            if (!ChunkParser.TryParse(buffer.AsSpan(0, length), request.CaptureAnswer, out var info, out var error))
            {
                return Failure(FailureReason.Protocol, error!, timestamp);
            }

            return info.Error is not null
                ? Failure(FailureReason.StreamError, "error in response: " + Redacted(info.Error, request), timestamp)
                : new StreamEvent(StreamEventKind.Chunk, timestamp, info);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// What a redirect failure says: where it pointed (credentials and secret-looking query values masked). Redirects are
    /// not followed by either client: the extra round trip would land in the TTFT, and the key would go to wherever the
    /// server pointed.
    /// </summary>
    private static string Redirect(string? location, CompletionRequest request)
    {
        if (location is null)
        {
            return "a redirect without a Location header; the runner does not follow redirects";
        }

        var where = Uri.TryCreate(request.Endpoint, location, out var target) && target.Scheme is "http" or "https"
            ? Reporting.EffectiveConfig.RedactUrl(target)
            : new string([.. location.Select(c => char.IsControl(c) ? '?' : c)]);
        return $"redirected to {Redacted(where, request)}; the runner does not follow redirects: set the target's url to the address it points to";
    }

    /// <summary>What a compressed body's failure says: which encoding, and the header that asked for it when one did.</summary>
    private static string Compressed(string encoding, CompletionRequest request)
    {
        var asked = request.Headers?.Keys.FirstOrDefault(k => k.Equals("Accept-Encoding", StringComparison.OrdinalIgnoreCase));
        return $"the server compressed the response (Content-Encoding: {encoding}), which the runner does not decode: a compressed event stream's chunks do not arrive when the server produced them"
            + (asked is null ? string.Empty : $"; the target's headers ask for it ({asked}): remove that header");
    }

    private static string Redacted(string text, CompletionRequest request) =>
        SecretRedactor.Redact(ChunkParser.Truncate(text), SecretRedactor.Of(request));

    private static StreamEvent Failure(FailureReason reason, string message, long timestamp) =>
        new(StreamEventKind.Failure, timestamp, Reason: reason, Message: message);

    private static async Task<string> ReadErrorBodyAsync(TargetResponse response, CancellationToken cancellationToken)
    {
        try
        {
            var buffer = new byte[ErrorBodyBytes];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await response.Body.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return Encoding.UTF8.GetString(buffer, 0, total);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return $"(body unreadable: {ex.Message})";
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
