using System.Net;
using System.Text;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

/// <summary>A URL as the HTTP/1.1 client sends to it, direct and through a proxy, and the request head it writes.</summary>
public sealed class Http1EndpointTests : IDisposable
{
    private readonly Http1Pool _pool = new(TimeProvider.System, TimeSpan.FromSeconds(90), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1));

    public void Dispose() => _pool.Dispose();

    private static string Head(Http1Endpoint endpoint, Uri url)
    {
        var request = new CompletionRequest(url, "{}"u8.ToArray(), "r-1", new Secret("sk-key"));
        var buffer = new byte[Http1RequestHead.MaxLength(request, endpoint) + 2];
        return Encoding.ASCII.GetString(buffer, 0, Http1RequestHead.Write(buffer, request, endpoint, post: true, contentLength: 2));
    }

    [Theory]
    [InlineData("http://vllm:8000/v1/chat/completions?x=1", "vllm:8000", "/v1/chat/completions?x=1", false)]
    [InlineData("https://vllm.example.com/v1/chat/completions", "vllm.example.com", "/v1/chat/completions", true)]
    [InlineData("http://[fd00::1]:8000/v1/completions", "[fd00::1]:8000", "/v1/completions", false)]
    public void Direct_the_socket_goes_to_the_target_and_the_request_names_its_path(string url, string authority, string target, bool tls)
    {
        var uri = new Uri(url);
        var endpoint = new Http1Endpoint(uri, _pool);

        Assert.Equal(authority, endpoint.Authority);
        Assert.Equal(tls, endpoint.IsTls);
        Assert.False(endpoint.Tunnel);
        Assert.Equal(target, Encoding.ASCII.GetString(endpoint.Target));
        Assert.Equal(uri.Port, endpoint.EndPoint switch { IPEndPoint ip => ip.Port, DnsEndPoint dns => dns.Port, _ => 0 });
        Assert.StartsWith($"POST {target} HTTP/1.1\r\nHost: {authority}\r\n", Head(endpoint, uri), StringComparison.Ordinal);
    }

    [Fact]
    public void Through_a_proxy_an_http_url_is_asked_in_absolute_form_with_the_proxys_credentials()
    {
        var uri = new Uri("http://vllm:8000/v1/chat/completions");
        var endpoint = new Http1Endpoint(uri, _pool, new Uri("http://proxy.corp:3128"), "Basic cnVubmVyOnB3");

        Assert.Equal(new DnsEndPoint("proxy.corp", 3128), endpoint.EndPoint);
        Assert.False(endpoint.Tunnel);
        var head = Head(endpoint, uri);
        Assert.StartsWith("POST http://vllm:8000/v1/chat/completions HTTP/1.1\r\nHost: vllm:8000\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nProxy-Authorization: Basic cnVubmVyOnB3\r\n", head, StringComparison.Ordinal);
        Assert.Equal("vllm:8000 through the proxy proxy.corp:3128", endpoint.Name);
    }

    [Fact]
    public void Through_a_proxy_an_https_url_tunnels_and_its_requests_carry_neither_the_full_url_nor_the_proxys_credentials()
    {
        var uri = new Uri("https://vllm.example.com/v1/chat/completions");
        var endpoint = new Http1Endpoint(uri, _pool, new Uri("http://proxy.corp:3128"), "Basic cnVubmVyOnB3");

        Assert.True(endpoint.Tunnel);
        Assert.Equal("vllm.example.com", endpoint.Authority);
        var head = Head(endpoint, uri);
        Assert.StartsWith("POST /v1/chat/completions HTTP/1.1\r\n", head, StringComparison.Ordinal);
        Assert.DoesNotContain("Proxy-Authorization", head, StringComparison.Ordinal);
    }
}
