using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// The retry policy of one remote_write receiver, on Microsoft.Extensions.Http.Resilience (Polly v8): a total timeout
/// of <c>max_retry_time</c> around retries of 5xx, 429, network errors and attempt timeouts (at most
/// <c>max_attempts</c> attempts, exponential backoff from <c>min_backoff</c> capped at <c>max_backoff</c>, with
/// jitter, a <c>Retry-After</c> honoured up to <c>max_backoff</c>), each attempt bounded by <c>timeout</c>. Other 4xx,
/// and 5xx answers that name a refusal no retry can change, end the pipeline at once.
/// </summary>
internal static class RemoteWriteResilience
{
    /// <summary>The last retried failure, for the message of a request that runs out of time.</summary>
    public static readonly ResiliencePropertyKey<string> LastError = new("guidellm.remote-write.last-error");

    /// <summary>
    /// 5xx answers that are a refusal, not an outage: Prometheus 2.x answers a native histogram with 500 when started
    /// without <c>--enable-feature=native-histograms</c> (seen with 2.42).
    /// </summary>
    private static readonly string[] PermanentServerErrors = ["native histograms are disabled"];

    // Polly's lower limit for a timeout.
    private static readonly TimeSpan ShortestTimeout = TimeSpan.FromMilliseconds(10);

    /// <summary>Builds the pipeline for <paramref name="config"/>; <paramref name="onRetry"/> hears of each failed attempt before its wait.</summary>
    public static ResiliencePipeline<HttpResponseMessage> Create(Configuration.RemoteWriteConfig config, TimeProvider time, Func<int, TimeSpan, string, ValueTask> onRetry)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddTimeout(new HttpTimeoutStrategyOptions { Name = "total", Timeout = Max(config.MaxRetryTime, ShortestTimeout) });
        if (config.MaxAttempts > 1)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = config.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = config.MinBackoff,
                MaxDelay = config.MaxBackoff,
                ShouldHandle = args => IsRetryableAsync(args.Outcome),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, config.MaxBackoff, time)),
                OnRetry = async args =>
                {
                    var error = await DescribeAsync(args.Outcome, config.Timeout).ConfigureAwait(false);
                    args.Context.Properties.Set(LastError, error);
                    await onRetry(args.AttemptNumber + 1, args.RetryDelay, error).ConfigureAwait(false);
                },
            });
        }

        return builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "attempt", Timeout = Max(config.Timeout, ShortestTimeout) }).Build();
    }

    /// <summary>True for an answer worth retrying: 5xx (but a named refusal), 429, a network error or an attempt timeout.</summary>
    public static async ValueTask<bool> IsRetryableAsync(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Result is { StatusCode: HttpStatusCode.RequestTimeout })
        {
            // 408 is "transient" to the library; the protocol retries only 5xx and 429.
            return false;
        }

        if (!HttpClientResiliencePredicates.IsTransient(outcome))
        {
            return false;
        }

        return outcome.Result is not { } response || (int)response.StatusCode < 500 || !IsRefusal(await response.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false));
    }

    /// <summary>True when a 5xx answer's body names a refusal that retrying cannot change.</summary>
    public static bool IsRefusal(string body) => PermanentServerErrors.Any(e => body.Contains(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>A failed attempt in words: the status and the start of the body, the network error, or the attempt timeout.</summary>
    public static async ValueTask<string> DescribeAsync(Outcome<HttpResponseMessage> outcome, TimeSpan attemptTimeout) => outcome switch
    {
        { Result: { } response } => $"HTTP {(int)response.StatusCode}: {Client.ChunkParser.Truncate((await response.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false)).Trim())}",
        { Exception: TimeoutRejectedException } => $"no answer within {attemptTimeout.TotalSeconds:0.###}s",
        { Exception: { InnerException: { } inner } ex } => $"{ex.Message} {inner.Message}",
        { Exception: { } ex } => ex.Message,
        _ => "unknown error",
    };

    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan cap, TimeProvider time)
    {
        var header = response?.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);

        // No (or a past) Retry-After: null lets the exponential backoff decide.
        return wait is { } w && w > TimeSpan.Zero ? (w < cap ? w : cap) : null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
