using System.Net.Http.Headers;
using System.Text;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// Sends remote_write 1.0 bodies to one receiver: the protocol's headers, auth, retries of 5xx/429/network errors with
/// capped exponential backoff and jitter (honouring Retry-After), and no retry of other 4xx, whose reason is returned.
/// </summary>
public sealed partial class RemoteWriteClient
{
    private readonly HttpClient _http;
    private readonly RemoteWriteConfig _config;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _jitter = new();

    /// <summary>Creates a client for <paramref name="config"/> over <paramref name="http"/> (infinite timeout expected).</summary>
    public RemoteWriteClient(HttpClient http, RemoteWriteConfig config, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(time);
        _http = http;
        _config = config;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The receiver, as printed in logs and reports (credentials removed).</summary>
    public string Receiver => Reporting.EffectiveConfig.RedactUrl(_config.Url);

    /// <summary>Sends one uncompressed protobuf <c>WriteRequest</c>.</summary>
    public async Task<DeliveryResult> SendAsync(byte[] protobuf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(protobuf);
        var body = WriteRequestEncoder.Compress(protobuf);
        var started = _time.GetTimestamp();
        string? lastError = null;
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var attemptTimeout = new CancellationTokenSource(_config.Timeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
                using var request = CreateRequest(body);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return new DeliveryResult(DeliveryOutcome.Delivered, attempt);
                }

                var text = Redact(ChunkParser.Truncate((await response.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false)).Trim()));
                lastError = $"HTTP {(int)response.StatusCode}: {text}";
                var status = (int)response.StatusCode;
                if (status != 429 && status < 500)
                {
                    LogRejected(_logger, Receiver, lastError);
                    return new DeliveryResult(DeliveryOutcome.Rejected, attempt, lastError);
                }

                retryAfter = response.Headers.RetryAfter?.Delta
                    ?? (response.Headers.RetryAfter?.Date is { } date ? date - _time.GetUtcNow() : null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastError = $"no answer within {_config.Timeout.TotalSeconds:0.###}s";
            }
            catch (HttpRequestException ex)
            {
                lastError = Redact(ex.Message);
            }

            var elapsed = _time.GetElapsedTime(started);
            var delay = Backoff(attempt, retryAfter);
            if (attempt >= _config.MaxAttempts || elapsed + delay > _config.MaxRetryTime)
            {
                LogUndeliverable(_logger, Receiver, attempt, lastError ?? "unknown error");
                return new DeliveryResult(DeliveryOutcome.Undeliverable, attempt, lastError);
            }

            LogRetrying(_logger, Receiver, attempt, delay.TotalMilliseconds, lastError ?? "unknown error");
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } wait && wait > TimeSpan.Zero)
        {
            return wait < _config.MaxBackoff ? wait : _config.MaxBackoff;
        }

        var exponential = _config.MinBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1);
        double jitter;
        lock (_jitter)
        {
            jitter = 0.5 + (_jitter.NextDouble() * 0.5);
        }

        return TimeSpan.FromMilliseconds(Math.Min(_config.MaxBackoff.TotalMilliseconds, exponential) * jitter);
    }

    private HttpRequestMessage CreateRequest(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _config.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        request.Content.Headers.ContentEncoding.Add("snappy");
        request.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        request.Headers.UserAgent.ParseAdd(RunnerUserAgent.Value);
        if (_config.BearerToken is { IsEmpty: false } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Reveal());
        }
        else if (_config.BasicAuthUsername is { } user)
        {
            var pair = Encoding.UTF8.GetBytes($"{user}:{_config.BasicAuthPassword?.Reveal()}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(pair));
        }

        foreach (var (name, value) in _config.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value.Reveal());
        }

        return request;
    }

    private string Redact(string text) => SecretRedactor.Redact(text, _config.Secrets);

    [LoggerMessage(4001, LogLevel.Error, "remote_write to {Receiver} rejected, not retried: {Reason}")]
    private static partial void LogRejected(ILogger logger, string receiver, string reason);

    [LoggerMessage(4002, LogLevel.Warning, "remote_write to {Receiver} failed after {Attempts} attempts: {Reason}")]
    private static partial void LogUndeliverable(ILogger logger, string receiver, int attempts, string reason);

    [LoggerMessage(4003, LogLevel.Debug, "remote_write to {Receiver} attempt {Attempt} failed ({Reason}); retrying in {DelayMs:F0} ms")]
    private static partial void LogRetrying(ILogger logger, string receiver, int attempt, double delayMs, string reason);
}
