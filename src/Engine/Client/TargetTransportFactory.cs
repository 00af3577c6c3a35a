using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Client;

/// <summary>
/// Makes the transports requests to targets go through (<see cref="ITargetTransport"/>), one per kind of client and its
/// settings, shared by every target that asks for the same: no overall timeout (each request has its own deadline), no
/// connection cap, pooled connections recycled every few minutes so DNS changes are seen. TLS validation stays on
/// unless a target opts out. Targets get the purpose-built <see cref="Http1Transport"/> (HTTP/1.1, plain or TLS) unless
/// they ask for .NET's HttpClient (<c>http_client: httpclient</c>, which negotiates HTTP/2 on <c>https</c>).
/// </summary>
public sealed class TargetTransportFactory : IDisposable
{
    private readonly Lazy<HttpClient> _secure = new(() => Create(insecure: false));
    private readonly Lazy<HttpClient> _insecure = new(() => Create(insecure: true));
    private readonly Lazy<ITargetTransport>[] _http1;

    /// <summary>Creates a factory; transports are made on first use.</summary>
    public TargetTransportFactory()
    {
        _http1 = [.. Enumerable.Range(0, 4).Select(i => new Lazy<ITargetTransport>(() => CreateHttp1(kernelTimestamps: (i & 1) == 0, insecure: (i & 2) != 0)))];
    }

    /// <summary>The HTTP/1.1 client waits on its own event threads where they run (benchmarks compare both).</summary>
    internal bool EventThreads { get; init; } = EpollLoop.Supported;

    /// <summary>
    /// Trial (issue 23 item 5): HTTP/1.1 through .NET's <see cref="SocketsHttpHandler"/> whose connections are
    /// <see cref="StampedSocketStream"/>s, in place of <see cref="Http1Transport"/>.
    /// </summary>
    internal bool StampedHttpClient { get; init; }

    /// <summary>The transport for requests to <paramref name="endpoint"/> under <paramref name="settings"/>.</summary>
    public ITargetTransport TransportFor(Uri endpoint, BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(settings);
        if ((endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps) || settings.HttpClient != HttpClientKind.Auto)
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
            (transport.Value as IDisposable)?.Dispose();
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

    private ITargetTransport CreateHttp1(bool kernelTimestamps, bool insecure)
    {
        if (!StampedHttpClient)
        {
            return new Http1Transport { KernelTimestamps = kernelTimestamps, InsecureSkipVerify = insecure, EventThreads = EventThreads };
        }

        var handler = Handler(insecure);
        handler.SslOptions.ApplicationProtocols = [SslApplicationProtocol.Http11];
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            return new StampedSocketStream(socket) { KernelStampsForBodies = kernelTimestamps && KernelReceive.Enable(socket) };
        };
        return new HttpClientTransport(Client(handler), stampBodies: kernelTimestamps, owned: true);
    }

    private static HttpClient Create(bool insecure) => Client(Handler(insecure));

    private static SocketsHttpHandler Handler(bool insecure)
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
            SslOptions = new SslClientAuthenticationOptions(),
        };
        if (insecure)
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
}
