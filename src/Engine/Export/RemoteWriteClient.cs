using System.Net.Http.Headers;
using System.Text;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Timeout;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// Sends remote_write 1.0 bodies to one receiver: the protocol's headers, auth, and the receiver's retry policy
/// (<see cref="RemoteWriteResilience"/>: 5xx/429/network errors retried with capped exponential backoff and jitter,
/// Retry-After honoured, other 4xx not retried and their reason returned).
/// </summary>
internal sealed partial class RemoteWriteClient
{
    /// <summary>The name of the HttpClient the engine registers for remote_write (<see cref="System.Net.Http.IHttpClientFactory"/>).</summary>
    public const string HttpClientName = "guidellm-remote-write";

    private readonly HttpClient _http;
    private readonly RemoteWriteConfig _config;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    /// <summary>Creates a client for <paramref name="config"/> over <paramref name="http"/> (infinite timeout expected: the policy times attempts).</summary>
    public RemoteWriteClient(HttpClient http, RemoteWriteConfig config, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(time);
        _http = http;
        _config = config;
        _logger = logger ?? NullLogger.Instance;
        _pipeline = RemoteWriteResilience.Create(config, time, (attempt, delay, error) =>
        {
            LogRetrying(_logger, Receiver, attempt, delay.TotalMilliseconds, Redact(error));
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>The receiver, as printed in logs and reports (credentials removed).</summary>
    public string Receiver => Reporting.EffectiveConfig.RedactUrl(_config.Url);

    /// <summary>Sends one uncompressed protobuf <c>WriteRequest</c>.</summary>
    public async Task<DeliveryResult> SendAsync(byte[] protobuf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(protobuf);
        var body = WriteRequestEncoder.Compress(protobuf);
        var attempts = new Attempts(this, body);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            using var response = await _pipeline.ExecuteAsync(
                async (ctx, state) =>
                {
                    state.Count++;
                    using var request = state.Client.CreateRequest(state.Body);
                    return await state.Client._http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ctx.CancellationToken).ConfigureAwait(false);
                },
                context,
                attempts).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return new DeliveryResult(DeliveryOutcome.Delivered, attempts.Count);
            }

            var error = Redact(await RemoteWriteResilience.DescribeAsync(Outcome.FromResult(response), _config.Timeout).ConfigureAwait(false));
            if (await RemoteWriteResilience.IsRetryableAsync(Outcome.FromResult(response)).ConfigureAwait(false))
            {
                LogUndeliverable(_logger, Receiver, attempts.Count, error);
                return new DeliveryResult(DeliveryOutcome.Undeliverable, attempts.Count, error);
            }

            LogRejected(_logger, Receiver, error);
            return new DeliveryResult(DeliveryOutcome.Rejected, attempts.Count, error);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            var error = ex is TimeoutRejectedException timeout && timeout.Timeout != _config.Timeout
                ? $"still failing after {_config.MaxRetryTime.TotalSeconds:0.###}s: {(context.Properties.TryGetValue(RemoteWriteResilience.LastError, out var last) ? last : "no answer")}"
                : await RemoteWriteResilience.DescribeAsync(Outcome.FromException<HttpResponseMessage>(ex), _config.Timeout).ConfigureAwait(false);
            error = Redact(error);
            LogUndeliverable(_logger, Receiver, attempts.Count, error);
            return new DeliveryResult(DeliveryOutcome.Undeliverable, attempts.Count, error);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
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

    /// <summary>What one delivery's attempts share: the body, and how many attempts were made.</summary>
    private sealed class Attempts(RemoteWriteClient client, byte[] body)
    {
        public RemoteWriteClient Client => client;

        public byte[] Body => body;

        public int Count { get; set; }
    }

    [LoggerMessage(4001, LogLevel.Error, "remote_write to {Receiver} rejected, not retried: {Reason}")]
    private static partial void LogRejected(ILogger logger, string receiver, string reason);

    [LoggerMessage(4002, LogLevel.Warning, "remote_write to {Receiver} failed after {Attempts} attempts: {Reason}")]
    private static partial void LogUndeliverable(ILogger logger, string receiver, int attempts, string reason);

    [LoggerMessage(4003, LogLevel.Debug, "remote_write to {Receiver} attempt {Attempt} failed ({Reason}); retrying in {DelayMs:F0} ms")]
    private static partial void LogRetrying(ILogger logger, string receiver, int attempt, double delayMs, string reason);
}
