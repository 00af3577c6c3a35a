using System.Net;
using System.Net.Sockets;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// The proxy the environment asks for, read the way curl reads it: <c>http_proxy</c> for <c>http</c> URLs,
/// <c>https_proxy</c> for <c>https</c> URLs, <c>all_proxy</c> for either when its own is unset (each name in lower case
/// first, then upper case), a proxy URL without a scheme taken as <c>http://</c> and its user and password as the
/// proxy's Basic credentials, and <c>no_proxy</c> a comma- or space-separated list of hosts that go direct: <c>*</c>
/// for all, a name for itself and every subdomain (a leading <c>.</c> or <c>*.</c> changes nothing), an IP address or
/// CIDR block (<c>10.0.0.0/8</c>) for the addresses in it, each optionally with <c>:port</c>. .NET's own reader of these
/// variables (behind <see cref="HttpClient.DefaultProxy"/>) cannot be given another environment, matches a name only
/// exactly and knows no blocks, so targets, receivers and storage all resolve through this one instead.
/// </summary>
internal sealed class EnvironmentProxy : IWebProxy
{
    private static readonly Lazy<EnvironmentProxy> s_process = new(() => From(Environment.GetEnvironmentVariable));

    private readonly Uri? _http;
    private readonly Uri? _https;
    private readonly Bypass[] _bypass;

    private EnvironmentProxy(Uri? http, Uri? https, Bypass[] bypass, ICredentials? credentials)
    {
        _http = http;
        _https = https;
        _bypass = bypass;
        Credentials = credentials;
    }

    /// <summary>The process's environment, read once.</summary>
    /// <exception cref="ArgumentException">A proxy variable is not a URL.</exception>
    public static EnvironmentProxy Process => s_process.Value;

    /// <summary>The proxy for <c>http</c> URLs (without its credentials), or null.</summary>
    public Uri? HttpProxy => _http;

    /// <summary>The proxy for <c>https</c> URLs (without its credentials), or null.</summary>
    public Uri? HttpsProxy => _https;

    /// <summary>Basic credentials for each proxy that named them in its URL, or null.</summary>
    public ICredentials? Credentials { get; set; }

    /// <summary>Reads the variables through <paramref name="variable"/>.</summary>
    /// <exception cref="ArgumentException">A proxy variable is not a URL (the message names the variable, never its value).</exception>
    public static EnvironmentProxy From(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var credentials = new ProxyCredentials();
        var all = Read(variable, "all_proxy", credentials);
        var http = Read(variable, "http_proxy", credentials) ?? all;
        var https = Read(variable, "https_proxy", credentials) ?? all;
        var noProxy = Value(variable, "no_proxy");
        var bypass = noProxy is null ? [] : noProxy.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(Bypass.Parse).ToArray();
        return new EnvironmentProxy(http, https, bypass, credentials.IsEmpty ? null : credentials);
    }

    /// <summary>
    /// These rules with the proxy a target's <c>proxy</c> setting names in place of the environment's, for both schemes
    /// (<see cref="Configuration.ProxySetting.Direct"/>: none); <c>no_proxy</c> still applies.
    /// </summary>
    public EnvironmentProxy With(Configuration.ProxySetting configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        ProxyCredentials? credentials = null;
        if (configured is { Url: { } url, Username: { } user })
        {
            credentials = new ProxyCredentials();
            credentials.Add(url, new NetworkCredential(user, configured.Password?.Reveal() ?? string.Empty));
        }

        return new EnvironmentProxy(configured.Url, configured.Url, _bypass, credentials);
    }

    /// <inheritdoc />
    public Uri? GetProxy(Uri destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return IsBypassed(destination) ? null : ProxyFor(destination);
    }

    /// <inheritdoc />
    public bool IsBypassed(Uri host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (ProxyFor(host) is null)
        {
            return true;
        }

        var name = host.IdnHost.Trim('[', ']');
        var address = IPAddress.TryParse(name, out var parsed) ? parsed : null;
        return _bypass.Any(b => b.Matches(name, address, host.Port));
    }

    /// <summary>The <c>Proxy-Authorization</c> value for <paramref name="proxy"/> (Basic), or null when it has no credentials.</summary>
    public string? Authorization(Uri proxy) =>
        Credentials?.GetCredential(proxy, "Basic") is { } credential
            ? "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{credential.UserName}:{credential.Password}"))
            : null;

    private Uri? ProxyFor(Uri destination) =>
        destination.Scheme == Uri.UriSchemeHttps ? _https : destination.Scheme == Uri.UriSchemeHttp ? _http : null;

    private static string? Value(Func<string, string?> variable, string name) =>
        variable(name) is { Length: > 0 } lower ? lower : variable(name.ToUpperInvariant()) is { Length: > 0 } upper ? upper : null;

    private static Uri? Read(Func<string, string?> variable, string name, ProxyCredentials credentials)
    {
        if (Value(variable, name) is not { } text)
        {
            return null;
        }

        text = text.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.Host.Length == 0)
        {
            throw new ArgumentException($"{name.ToUpperInvariant()} is not an http:// proxy URL (host and port)");
        }

        var proxy = new UriBuilder(uri.Scheme, uri.Host, uri.Port).Uri;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            var password = colon < 0 ? string.Empty : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            credentials.Add(proxy, new NetworkCredential(user, password));
        }

        return proxy;
    }

    /// <summary>One <c>no_proxy</c> entry.</summary>
    private sealed record Bypass(string? Domain, IPNetwork? Block, int Port)
    {
        public static Bypass Parse(string entry)
        {
            if (entry == "*")
            {
                return new Bypass(string.Empty, null, 0);
            }

            var port = 0;
            var hostPart = entry;
            var colon = entry.LastIndexOf(':');
            if (colon > 0 && entry.IndexOf(':', StringComparison.Ordinal) == colon && int.TryParse(entry.AsSpan(colon + 1), out var p))
            {
                (hostPart, port) = (entry[..colon], p);
            }

            hostPart = hostPart.Trim('[', ']');
            var slash = hostPart.IndexOf('/', StringComparison.Ordinal);
            if (IPAddress.TryParse(slash < 0 ? hostPart : hostPart[..slash], out var network))
            {
                var bits = network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
                var prefix = slash < 0 ? bits : int.TryParse(hostPart.AsSpan(slash + 1), out var n) ? Math.Clamp(n, 0, bits) : bits;
                return new Bypass(null, new IPNetwork(Masked(network, prefix), prefix), port);
            }

            return new Bypass(hostPart.TrimStart('*').TrimStart('.').ToLowerInvariant(), null, port);
        }

        public bool Matches(string host, IPAddress? address, int port)
        {
            if (Port != 0 && Port != port)
            {
                return false;
            }

            if (Block is { } block)
            {
                return address is not null && block.Contains(address);
            }

            return Domain!.Length == 0
                || host.Equals(Domain, StringComparison.OrdinalIgnoreCase)
                || (host.Length > Domain.Length && host.EndsWith(Domain, StringComparison.OrdinalIgnoreCase) && host[^(Domain.Length + 1)] == '.');
        }

        // IPNetwork refuses a base address with bits set past the prefix ("10.1.2.3/8"); curl and Go take the block.
        private static IPAddress Masked(IPAddress address, int prefixLength)
        {
            var bytes = address.GetAddressBytes();
            for (var i = 0; i < bytes.Length; i++)
            {
                var keep = Math.Clamp(prefixLength - (i * 8), 0, 8);
                bytes[i] &= (byte)(0xFF << (8 - keep));
            }

            return new IPAddress(bytes);
        }
    }

    /// <summary>Credentials per proxy URL; never printed.</summary>
    private sealed class ProxyCredentials : ICredentials
    {
        private readonly Dictionary<Uri, NetworkCredential> _byProxy = [];

        public bool IsEmpty => _byProxy.Count == 0;

        public void Add(Uri proxy, NetworkCredential credential) => _byProxy[proxy] = credential;

        public NetworkCredential? GetCredential(Uri uri, string authType) =>
            _byProxy.TryGetValue(new UriBuilder(uri.Scheme, uri.Host, uri.Port).Uri, out var credential) ? credential : null;
    }
}
