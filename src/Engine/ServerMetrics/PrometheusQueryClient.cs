using System.Globalization;
using System.Text.Json;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.ServerMetrics.Exposition;

namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>
/// Instant queries against a Prometheus-compatible HTTP API (<c>/api/v1/query</c>: Prometheus, Thanos Query, Mimir,
/// VictoriaMetrics), with the setting's credentials and tenant headers. A failed query throws
/// <see cref="PrometheusQueryException"/> with the API's own reason, secrets masked.
/// </summary>
internal sealed class PrometheusQueryClient
{
    /// <summary>Largest answer read.</summary>
    internal const int MaxBodyBytes = 64 * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly ServerMetricsSetting _setting;
    private readonly TimeProvider _time;
    private readonly Uri _query;

    /// <summary>Creates a client of the API at <paramref name="setting"/>'s URL.</summary>
    public PrometheusQueryClient(HttpClient http, ServerMetricsSetting setting, TimeProvider time)
    {
        _http = http;
        _setting = setting;
        _time = time;
        var root = setting.Url!.AbsoluteUri.EndsWith('/') ? setting.Url : new Uri(setting.Url.AbsoluteUri + "/");
        _query = new Uri(root, "api/v1/query");
    }

    /// <summary>The API as reports show it.</summary>
    public string Endpoint => Reporting.EffectiveConfig.RedactUrl(_setting.Url!);

    /// <summary>Evaluates <paramref name="promql"/> at <paramref name="at"/>: a vector's series with one sample each, or a matrix's with all of theirs.</summary>
    public async Task<IReadOnlyList<PromSeries>> QueryAsync(string promql, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_setting.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _query)
            {
                Content = new FormUrlEncodedContent(
                [
                    new("query", promql),
                    new("time", (at.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture)),
                ]),
            };
            ServerMetricsHttp.Authorize(request, _setting, target: null);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength > MaxBodyBytes)
            {
                throw Failure($"the answer is over {MaxBodyBytes / (1024 * 1024)} MiB");
            }

            var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                JsonDocument document;
                try
                {
                    document = await JsonDocument.ParseAsync(new BoundedStream(body, MaxBodyBytes), default, linked.Token).ConfigureAwait(false);
                }
                catch (JsonException)
                {
                    throw Failure($"HTTP {(int)response.StatusCode}: the answer is not the query API's JSON");
                }

                using (document)
                {
                    try
                    {
                        return Read(document.RootElement, (int)response.StatusCode);
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException or FormatException)
                    {
                        throw Failure($"HTTP {(int)response.StatusCode}: unexpected JSON ({ex.Message})");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Failure($"no answer within {_setting.Timeout.TotalSeconds:0.###}s");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw Failure(ex.Message + (ex.InnerException is { } inner ? $" ({inner.Message})" : string.Empty));
        }
    }

    private IReadOnlyList<PromSeries> Read(JsonElement root, int status)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var state))
        {
            throw Failure($"HTTP {status}: the answer is not the query API's JSON");
        }

        if (state.GetString() != "success")
        {
            var type = root.TryGetProperty("errorType", out var t) ? t.GetString() : null;
            var error = root.TryGetProperty("error", out var e) ? e.GetString() : null;
            throw Failure($"HTTP {status}: {type}: {ChunkParser.Truncate(error)}");
        }

        var data = root.GetProperty("data");
        var kind = data.GetProperty("resultType").GetString();
        var result = new List<PromSeries>();
        foreach (var series in data.GetProperty("result").EnumerateArray())
        {
            var labels = series.TryGetProperty("metric", out var metric)
                ? metric.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString() ?? string.Empty)).ToList()
                : [];
            var samples = new List<(DateTimeOffset, double)>();
            if (kind == "matrix")
            {
                foreach (var pair in series.GetProperty("values").EnumerateArray())
                {
                    samples.Add(Pair(pair));
                }
            }
            else if (kind == "vector")
            {
                samples.Add(Pair(series.GetProperty("value")));
            }

            result.Add(new PromSeries(labels, samples));
        }

        return result;
    }

    private static (DateTimeOffset, double) Pair(JsonElement pair)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(pair[0].GetDouble() * 1000));
        return ExpositionParser.TryParseValue(pair[1].GetString(), out var value) ? (at, value) : (at, double.NaN);
    }

    private PrometheusQueryException Failure(string message) =>
        new(SecretRedactor.Redact($"query API {Endpoint}: {message}", _setting.Secrets));

    /// <summary>A read-only stream that fails past <c>limit</c> bytes, so an endless answer cannot fill memory.</summary>
    private sealed class BoundedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            return _read > limit ? throw new IOException($"the answer is over {limit / (1024 * 1024)} MiB") : read;
        }
    }
}
