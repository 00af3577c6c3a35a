using System.Net.Http.Headers;
using System.Text;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.ServerMetrics.Exposition;

namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>
/// Reads a server's <c>/metrics</c> (Prometheus text) into a <see cref="MetricSnapshot"/> of the target's model. Every
/// failure (unreachable, an HTTP error, a timeout, a body that is not exposition text or too large) is a
/// <see cref="ReadFailure"/>, never an exception.
/// </summary>
internal sealed class MetricsEndpointReader
{
    /// <summary>Largest body read; vLLM's is about 100 KB.</summary>
    internal const int MaxBodyBytes = 32 * 1024 * 1024;

    private static readonly MediaTypeWithQualityHeaderValue[] Accept =
    [
        MediaTypeWithQualityHeaderValue.Parse("text/plain;version=0.0.4;q=1"),
        MediaTypeWithQualityHeaderValue.Parse("*/*;q=0.1"),
    ];

    private readonly HttpClient _http;
    private readonly ServerMetricsSetting _setting;
    private readonly TargetConfig? _target;
    private readonly TimeProvider _time;

    /// <summary>Creates a reader of <paramref name="url"/>; <paramref name="target"/>'s credentials go along when it is the target's own.</summary>
    public MetricsEndpointReader(HttpClient http, Uri url, ServerMetricsSetting setting, TargetConfig? target, TimeProvider time)
    {
        _http = http;
        Url = url;
        _setting = setting;
        _target = target;
        _time = time;
    }

    /// <summary>The address read.</summary>
    public Uri Url { get; }

    /// <summary>The address as reports show it.</summary>
    public string Endpoint => Reporting.EffectiveConfig.RedactUrl(Url);

    /// <summary>The target's own <c>/metrics</c>: its URL's scheme, host and port.</summary>
    public static Uri TargetMetrics(Uri targetUrl) => new UriBuilder(targetUrl.Scheme, targetUrl.Host, targetUrl.Port, "/metrics").Uri;

    /// <summary>Reads the metrics now; the snapshot, or why there is none.</summary>
    public async Task<(MetricSnapshot? Snapshot, ReadFailure? Failure)> ReadAsync(string? model, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_setting.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Url);
            foreach (var accept in Accept)
            {
                request.Headers.Accept.Add(accept);
            }

            ServerMetricsHttp.Authorize(request, _setting, _target);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, new ReadFailure($"GET {Endpoint}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}"));
            }

            var (text, tooLarge) = await ReadBodyAsync(response.Content, linked.Token).ConfigureAwait(false);
            if (tooLarge)
            {
                return (null, new ReadFailure($"GET {Endpoint}: the body is over {MaxBodyBytes / (1024 * 1024)} MiB"));
            }

            return Interpret(text, model);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (null, new ReadFailure($"GET {Endpoint}: no answer within {_setting.Timeout.TotalSeconds:0.###}s", TimedOut: true));
        }
        catch (OperationCanceledException)
        {
            return (null, new ReadFailure($"GET {Endpoint}: cancelled"));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException)
        {
            return (null, new ReadFailure(Redact($"GET {Endpoint}: {ex.Message}" + (ex.InnerException is { } inner ? $" ({inner.Message})" : string.Empty))));
        }
    }

    /// <summary>The snapshot of a fetched body, or why it is not one.</summary>
    internal (MetricSnapshot? Snapshot, ReadFailure? Failure) Interpret(string text, string? model)
    {
        var document = ExpositionParser.Parse(text, ServerMetricNames.IsServerName);
        if (!document.LooksLikeExposition)
        {
            var why = document.Problems.Count > 0 ? document.Problems[0] : "no sample lines";
            return (null, new ReadFailure(Redact($"GET {Endpoint}: not Prometheus text exposition ({why})")));
        }

        return (MetricSnapshot.From(document.Samples, model), null);
    }

    private static async Task<(string Text, bool TooLarge)> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return (string.Empty, true);
                }

                buffer.Write(chunk, 0, read);
            }

            return (Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), false);
        }
    }

    private string Redact(string text) => SecretRedactor.Redact(text, [.. _setting.Secrets, _target?.ApiKey, .. _target?.Headers.Values ?? []]);
}
