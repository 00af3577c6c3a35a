using System.Net;
using System.Text;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>One target URL as the HTTP/1.1 client needs it: where to connect, whether over TLS, and the encoded request target and host.</summary>
internal sealed class Http1Endpoint
{
    public Http1Endpoint(Uri uri, Http1Pool pool)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"the HTTP/1.1 client speaks http and https, not {uri.Scheme}", nameof(uri));
        }

        Pool = pool;
        IsTls = uri.Scheme == Uri.UriSchemeHttps;
        Host = uri.IdnHost.Trim('[', ']');
        Port = uri.Port;
        EndPoint = IPAddress.TryParse(Host, out var address) ? new IPEndPoint(address, Port) : new DnsEndPoint(Host, Port);
        Target = Encoding.ASCII.GetBytes(uri.PathAndQuery);
        var host = uri.HostNameType == UriHostNameType.IPv6 ? $"[{Host}]" : Host;
        HostHeader = Encoding.ASCII.GetBytes(uri.IsDefaultPort ? host : $"{host}:{Port}");
    }

    /// <summary>The connections to this host and port, shared by every URL on it.</summary>
    public Http1Pool Pool { get; }

    /// <summary>An <c>https</c> URL: the connection is TLS, with the host as its server name.</summary>
    public bool IsTls { get; }

    public string Host { get; }

    public int Port { get; }

    public EndPoint EndPoint { get; }

    /// <summary>The request target (path and query, escaped).</summary>
    public byte[] Target { get; }

    /// <summary>The <c>Host</c> header's value.</summary>
    public byte[] HostHeader { get; }
}
