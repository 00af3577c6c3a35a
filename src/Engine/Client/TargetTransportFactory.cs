using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Client;

/// <summary>
/// Makes the transports requests to targets go through (<see cref="ITargetTransport"/>), one per kind of client and the
/// settings it depends on, shared by every target that asks for the same: no overall timeout (each request has its own
/// deadline), a connect timeout of its own, no connection cap, pooled connections recycled every few minutes so DNS
/// changes are seen, the target's proxy or else the environment's (<see cref="EnvironmentProxy"/>), redirects not followed. TLS validation
/// stays on unless a target opts out. Targets get the purpose-built <see cref="Http1Transport"/> (HTTP/1.1, plain or
/// TLS) unless they ask for .NET's HttpClient (<c>http_client: httpclient</c>, which negotiates HTTP/2 on <c>https</c>).
/// </summary>
internal sealed class TargetTransportFactory : IDisposable
{
    private readonly ConcurrentDictionary<Key, Lazy<ITargetTransport>> _transports = new();

    /// <summary>Where proxies come from (the process's environment unless a test gives another).</summary>
    internal Func<EnvironmentProxy> Proxy { get; init; } = static () => EnvironmentProxy.Process;

    /// <summary>The transport for requests to <paramref name="endpoint"/> under <paramref name="settings"/>.</summary>
    /// <exception cref="ArgumentException">A proxy variable of the environment is not a URL.</exception>
    public ITargetTransport TransportFor(Uri endpoint, BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(settings);
        var http1 = (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps) && settings.HttpClient == HttpClientKind.Runner;
        var key = new Key(http1, http1 && settings.KernelTimestamps, settings.InsecureSkipVerify && endpoint.Scheme != Uri.UriSchemeHttp, settings.Get(SettingsTable.ConnectTimeout), settings.Proxy);
        return _transports.GetOrAdd(key, k => new Lazy<ITargetTransport>(() => Create(k))).Value;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var transport in _transports.Values.Where(t => t.IsValueCreated))
        {
            (transport.Value as IDisposable)?.Dispose();
        }
    }

    private ITargetTransport Create(Key key)
    {
        var proxy = key.Proxy is { } configured ? Proxy().With(configured) : Proxy();
        if (!key.Http1)
        {
            return new HttpClientTransport(Client(Handler(key, proxy)), owned: true) { Preopens = true };
        }

        return new Http1Transport
        {
            KernelTimestamps = key.KernelTimestamps, InsecureSkipVerify = key.Insecure, ConnectTimeout = key.ConnectTimeout, Proxy = proxy,
        };
    }

    private static SocketsHttpHandler Handler(Key key, IWebProxy proxy)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            ConnectTimeout = key.ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = true,
            Proxy = proxy,
            EnableMultipleHttp2Connections = true,
            SslOptions = new SslClientAuthenticationOptions(),
        };
        HandlerConnectTiming.Install(handler);
        if (key.Insecure)
        {
#pragma warning disable CA5359 // Opted into per target with tls_insecure_skip_verify, for self-signed test clusters.
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        return handler;
    }

    private static HttpClient Client(SocketsHttpHandler handler) => new(handler, disposeHandler: true)
    {
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestHeaders = { { "User-Agent", RunnerUserAgent.Value } },
    };

    /// <summary>What makes two targets' transports different.</summary>
    private readonly record struct Key(bool Http1, bool KernelTimestamps, bool Insecure, TimeSpan ConnectTimeout, ProxySetting? Proxy);
}
