using System.Net;
using System.Text;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// One target URL as the HTTP/1.1 client needs it: where to connect (the target, or its proxy), whether over TLS, and
/// the encoded request target and host. Through a proxy an <c>http</c> URL is asked of the proxy in absolute form, and an
/// <c>https</c> URL goes through a <c>CONNECT</c> tunnel, as curl and .NET's HttpClient do.
/// </summary>
internal sealed class Http1Endpoint
{
    /// <param name="uri">The target URL.</param>
    /// <param name="pool">The connections for it (one pool per host, port and proxy).</param>
    /// <param name="proxy">The proxy it goes through, or null.</param>
    /// <param name="proxyAuthorization">The <c>Proxy-Authorization</c> value for <paramref name="proxy"/>, or null.</param>
    public Http1Endpoint(Uri uri, Http1Pool pool, Uri? proxy = null, string? proxyAuthorization = null)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"the HTTP/1.1 client speaks http and https, not {uri.Scheme}", nameof(uri));
        }

        Pool = pool;
        IsTls = uri.Scheme == Uri.UriSchemeHttps;
        Host = uri.IdnHost.Trim('[', ']');
        Port = uri.Port;
        Proxy = proxy;
        var host = uri.HostNameType == UriHostNameType.IPv6 ? $"[{Host}]" : Host;
        Authority = uri.IsDefaultPort ? host : $"{host}:{Port}";
        HostHeader = Encoding.ASCII.GetBytes(Authority);
        EndPoint = proxy is null ? EndPointOf(Host, Port) : EndPointOf(proxy.IdnHost.Trim('[', ']'), proxy.Port);
        Target = Encoding.ASCII.GetBytes(proxy is not null && !IsTls ? $"{uri.Scheme}://{Authority}{uri.PathAndQuery}" : uri.PathAndQuery);
        ProxyAuthorization = proxyAuthorization;
        Name = proxy is null ? $"{Host}:{Port}" : $"{Host}:{Port} through the proxy {proxy.Host}:{proxy.Port}";
    }

    /// <summary>The connections to this host and port, shared by every URL on it.</summary>
    public Http1Pool Pool { get; }

    /// <summary>An <c>https</c> URL: the connection is TLS, with the host as its server name.</summary>
    public bool IsTls { get; }

    public string Host { get; }

    public int Port { get; }

    /// <summary>The proxy requests go through, or null.</summary>
    public Uri? Proxy { get; }

    /// <summary>The connection is a <c>CONNECT</c> tunnel through <see cref="Proxy"/> (an <c>https</c> URL).</summary>
    public bool Tunnel => Proxy is not null && IsTls;

    /// <summary>Where the socket connects: the target, or its proxy.</summary>
    public EndPoint EndPoint { get; }

    /// <summary><c>host:port</c> (the port left out when it is the scheme's), as a <c>CONNECT</c> and a <c>Host</c> header name it.</summary>
    public string Authority { get; }

    /// <summary>The request target: path and query, escaped; the whole URL when a proxy is asked for it.</summary>
    public byte[] Target { get; }

    /// <summary>The <c>Host</c> header's value.</summary>
    public byte[] HostHeader { get; }

    /// <summary>The <c>Proxy-Authorization</c> value (a secret: never printed), or null.</summary>
    public string? ProxyAuthorization { get; }

    /// <summary>How errors name where the client was going: host and port, and the proxy's when there is one.</summary>
    public string Name { get; }

    private static EndPoint EndPointOf(string host, int port) =>
        IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
}
