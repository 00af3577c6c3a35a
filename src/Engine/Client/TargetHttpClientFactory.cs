using System.Net;
using System.Net.Security;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Client;

/// <summary>
/// HTTP clients for load: no overall timeout (each request has its own deadline), no connection cap, pooled connections
/// recycled every few minutes so DNS changes are seen. TLS validation stays on unless a target opts out. Targets get the
/// purpose-built <see cref="Http1Transport"/> (HTTP/1.1, plain or TLS) unless they ask for .NET's HttpClient
/// (<c>http_client: httpclient</c>, which negotiates HTTP/2 on <c>https</c>).
/// </summary>
public sealed class TargetHttpClientFactory : IDisposable
{
    private readonly Lazy<HttpClient> _secure = new(() => Create(insecure: false));
    private readonly Lazy<HttpClient> _insecure = new(() => Create(insecure: true));
    private readonly Lazy<Http1Transport>[] _http1 =
    [
        new(() => new Http1Transport()),
        new(() => new Http1Transport { KernelTimestamps = false }),
        new(() => new Http1Transport { InsecureSkipVerify = true }),
        new(() => new Http1Transport { KernelTimestamps = false, InsecureSkipVerify = true }),
    ];

    /// <summary>The transport for requests to <paramref name="endpoint"/> under <paramref name="settings"/>.</summary>
    public ITargetTransport TransportFor(Uri endpoint, BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(settings);
        if ((endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps) || settings.HttpClient != HttpClientKind.Runner)
        {
            return new HttpClientTransport(For(settings));
        }

        return _http1[(settings.KernelTimestamps ? 0 : 1) + (settings.InsecureSkipVerify && endpoint.Scheme == Uri.UriSchemeHttps ? 2 : 0)].Value;
    }

    /// <summary>The client for <paramref name="settings"/>.</summary>
    public HttpClient For(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.InsecureSkipVerify ? _insecure.Value : _secure.Value;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var transport in _http1.Where(t => t.IsValueCreated))
        {
            transport.Value.Dispose();
        }

        if (_secure.IsValueCreated)
        {
            _secure.Value.Dispose();
        }

        if (_insecure.IsValueCreated)
        {
            _insecure.Value.Dispose();
        }
    }

    private static HttpClient Create(bool insecure)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            EnableMultipleHttp2Connections = true,
        };
        if (insecure)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
#pragma warning disable CA5359 // Opted into per target with tls_insecure_skip_verify, for self-signed test clusters.
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
#pragma warning restore CA5359
            };
        }

        return new HttpClient(handler, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestHeaders = { { "User-Agent", RunnerUserAgent.Value } },
        };
    }
}
