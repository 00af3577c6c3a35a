using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using GuidellmFunctions.Engine.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Client;

/// <summary>
/// Runs one request to its end and returns a <see cref="RequestResult"/>; never throws. Timeout, burst cancellation and
/// errors are told apart: a request cut by its timeout fails with <see cref="FailureReason.Timeout"/>; one cut because its
/// stage ended is <see cref="RequestStatus.Incomplete"/>.
/// </summary>
internal sealed class RequestExecutor
{
    private readonly OpenAiStreamingClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates an executor using <paramref name="client"/>.</summary>
    public RequestExecutor(OpenAiStreamingClient client, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Opens connections until <paramref name="connections"/> are ready (see <see cref="OpenAiStreamingClient.PreopenAsync"/>).</summary>
    public ValueTask<int> PreopenAsync(CompletionRequest template, int connections, CancellationToken cancellationToken) =>
        _client.PreopenAsync(template, connections, cancellationToken);

    /// <summary>Sends <paramref name="request"/> now and follows its stream to the end.</summary>
    /// <param name="request">The request.</param>
    /// <param name="index">Its position in the stage.</param>
    /// <param name="scheduledTimestamp">When the profile meant to send it.</param>
    /// <param name="promptTokensTarget">Prompt tokens aimed for.</param>
    /// <param name="outputTokensTarget"><c>max_tokens</c> sent.</param>
    /// <param name="timeout">Deadline for the whole request.</param>
    /// <param name="stageToken">Cancelled when the stage ends; in-flight requests then become incomplete.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RequestResult> ExecuteAsync(CompletionRequest request, long index, long scheduledTimestamp, int promptTokensTarget, int outputTokensTarget, TimeSpan timeout, CancellationToken stageToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = new RequestResult
        {
            Index = index,
            RequestId = request.RequestId,
            ScheduledTimestamp = scheduledTimestamp,
            PromptTokensTarget = promptTokensTarget,
            OutputTokensTarget = outputTokensTarget,
            TimestampFrequency = _time.TimestampFrequency,
        };

        using var cancellation = new RequestCancellation(timeout, _time, stageToken);
        var sawHeaders = false;
        var sawFinish = false;
        result.SentTimestamp = _time.GetTimestamp();
        try
        {
            await foreach (var evt in _client.StreamAsync(request, cancellation.Token).ConfigureAwait(false))
            {
                switch (evt.Kind)
                {
                    case StreamEventKind.Headers:
                        sawHeaders = true;
                        result.HttpStatus = evt.StatusCode;
                        result.ConnectMs = evt.ConnectTime.TotalMilliseconds;
                        break;
                    case StreamEventKind.Chunk:
                        Observe(result, evt);
                        sawFinish |= evt.Chunk.HasFinishReason;
                        break;
                    case StreamEventKind.Done:
                        Succeed(result, evt.Timestamp);
                        break;
                    case StreamEventKind.EndOfStream when sawFinish:
                        Succeed(result, evt.Timestamp);
                        break;
                    case StreamEventKind.EndOfStream:
                        Fail(result, FailureReason.StreamError, "stream ended before [DONE]", evt.Timestamp);
                        break;
                    case StreamEventKind.Failure:
                        result.HttpStatus = evt.StatusCode == 0 ? result.HttpStatus : evt.StatusCode;
                        result.RetryAfter = evt.RetryAfter;
                        result.ConnectMs = evt.StatusCode == 0 ? result.ConnectMs : evt.ConnectTime.TotalMilliseconds;
                        Fail(result, evt.Reason, evt.Message ?? "failed", evt.Timestamp);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested && !cancellation.StageEnded)
        {
            var what = sawHeaders ? "stream did not finish" : "no response headers";
            Fail(result, FailureReason.Timeout, $"{what} within {timeout.TotalSeconds:0.###}s", _time.GetTimestamp());
        }
        catch (OperationCanceledException) when (cancellation.StageEnded)
        {
            result.Status = RequestStatus.Incomplete;
            result.Error = "cancelled: the stage ended while the request was in flight";
            result.EndTimestamp = _time.GetTimestamp();
        }
        catch (Exception ex)
        {
            var (reason, message) = Classify(ex, sawHeaders);
            Fail(result, reason, SecretRedactor.Redact(message, SecretRedactor.Of(request)), _time.GetTimestamp());
        }

        if (result.EndTimestamp == 0)
        {
            Fail(result, FailureReason.Protocol, "stream produced no end", _time.GetTimestamp());
        }

        if (result.Status == RequestStatus.Failed && _logger.IsEnabled(LogLevel.Debug))
        {
            Log.RequestFailed(_logger, result.RequestId, FailureReasons.Format(result.Reason!.Value), result.Error ?? string.Empty);
        }

        return result;
    }

    private static void Observe(RequestResult result, in StreamEvent evt)
    {
        var chunk = evt.Chunk;
        if (chunk.HasContent)
        {
            if (result.FirstContentTimestamp == 0)
            {
                result.FirstContentTimestamp = evt.Timestamp;
            }
            else
            {
                result.AddGap(evt.Timestamp - result.LastContentTimestamp);
            }

            result.LastContentTimestamp = evt.Timestamp;
            result.ContentChunks++;
            if (chunk.HasAnswer && result.FirstAnswerTimestamp == 0)
            {
                result.FirstAnswerTimestamp = evt.Timestamp;
            }

            if (chunk.Answer is { } text)
            {
                result.AppendAnswer(text);
            }
        }

        if (chunk.PromptTokens >= 0)
        {
            result.UsagePromptTokens = chunk.PromptTokens;
        }

        if (chunk.CompletionTokens >= 0)
        {
            result.UsageOutputTokens = chunk.CompletionTokens;
        }

        if (chunk.ReasoningTokens >= 0)
        {
            result.UsageReasoningTokens = chunk.ReasoningTokens;
        }
    }

    private static void Succeed(RequestResult result, long timestamp)
    {
        result.Status = RequestStatus.Successful;
        result.EndTimestamp = timestamp;
    }

    private static void Fail(RequestResult result, FailureReason reason, string message, long timestamp)
    {
        result.Status = RequestStatus.Failed;
        result.Reason = reason;
        result.Error = message;
        result.EndTimestamp = timestamp;
    }

    private static bool IsNameResolution(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }
                || (ex is SocketException socket && NameResolution.Failed(socket.SocketErrorCode)))
            {
                return true;
            }
        }

        return false;
    }

    private static (FailureReason Reason, string Message) Classify(Exception ex, bool sawHeaders)
    {
        var inner = ex.InnerException;
        return ex switch
        {
            HttpRequestException when inner is AuthenticationException => (FailureReason.Connection, "TLS failure: " + inner.Message),
            HttpRequestException when IsNameResolution(ex) => (FailureReason.Connection, "DNS failure: " + ex.Message),
            HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse } => (FailureReason.Protocol, "invalid HTTP response: " + ex.Message),
            HttpRequestException when sawHeaders => (FailureReason.StreamError, "stream broken: " + ex.Message),
            HttpRequestException => (FailureReason.Connection, ex.Message + (inner is SocketException s ? $" ({s.SocketErrorCode})" : string.Empty)),
            IOException when sawHeaders => (FailureReason.StreamError, "stream broken: " + ex.Message),
            IOException => (FailureReason.Connection, ex.Message),
            _ => (FailureReason.Protocol, $"{ex.GetType().Name}: {ex.Message}"),
        };
    }
}
