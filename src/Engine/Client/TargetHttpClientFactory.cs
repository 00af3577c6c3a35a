using System.Net;
using System.Net.Security;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Client;

/// <summary>
/// HTTP clients for load: no overall timeout (each request has its own deadline), no connection cap, pooled connections
/// recycled every few minutes so DNS changes are seen. TLS validation stays on unless a target opts out. Plain
/// <c>http</c> targets get the purpose-built <see cref="Http1Transport"/>; <c>https</c> ones .NET's HttpClient.
/// </summary>
public sealed class TargetHttpClientFactory : IDisposable
{
    private readonly Lazy<HttpClient> _secure = new(() => Create(insecure: false));
    private readonly Lazy<HttpClient> _insecure = new(() => Create(insecure: true));
    private readonly Lazy<Http1Transport> _http1 = new(() => new Http1Transport());
    private readonly Lazy<Http1Transport> _http1ReadTimes = new(() => new Http1Transport { KernelTimestamps = false });

    /// <summary>The transport for requests to <paramref name="endpoint"/> under <paramref name="settings"/>.</summary>
    public ITargetTransport TransportFor(Uri endpoint, BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(settings);
        if (endpoint.Scheme != Uri.UriSchemeHttp || settings.HttpClient != HttpClientKind.Auto)
        {
            return new HttpClientTransport(For(settings));
        }

        return settings.KernelTimestamps ? _http1.Value : _http1ReadTimes.Value;
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
        if (_http1.IsValueCreated)
        {
            _http1.Value.Dispose();
        }

        if (_http1ReadTimes.IsValueCreated)
        {
            _http1ReadTimes.Value.Dispose();
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
