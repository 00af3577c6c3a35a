using GuidellmFunctions.Engine.Client.Transport;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

public sealed class EnvironmentProxyTests
{
    private static EnvironmentProxy With(params (string Name, string Value)[] variables)
    {
        var environment = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return EnvironmentProxy.From(name => environment.GetValueOrDefault(name));
    }

    [Fact]
    public void Each_scheme_has_its_own_proxy_and_all_proxy_fills_the_gap()
    {
        var proxy = With(("HTTP_PROXY", "http://plain:3128"), ("ALL_PROXY", "everything:8080"));

        Assert.Equal(new Uri("http://plain:3128/"), proxy.GetProxy(new Uri("http://vllm:8000/v1")));
        Assert.Equal(new Uri("http://everything:8080/"), proxy.GetProxy(new Uri("https://vllm.example.com/v1")));
        Assert.Null(With().GetProxy(new Uri("https://vllm.example.com/v1")));
    }

    [Fact]
    public void The_lower_case_name_wins_over_the_upper_case_one()
    {
        var proxy = With(("https_proxy", "http://lower:1"), ("HTTPS_PROXY", "http://upper:2"), ("no_proxy", "a.example"), ("NO_PROXY", "b.example"));

        Assert.Equal(new Uri("http://lower:1/"), proxy.HttpsProxy);
        Assert.True(proxy.IsBypassed(new Uri("https://a.example")));
        Assert.False(proxy.IsBypassed(new Uri("https://b.example")));
    }

    [Theory]
    [InlineData("*", "https://anything.example", true)]
    [InlineData("example.com", "https://example.com/v1", true)]
    [InlineData("example.com", "https://api.example.com/v1", true)]
    [InlineData("example.com", "https://notexample.com/v1", false)]
    [InlineData(".example.com", "https://example.com/v1", true)]
    [InlineData("*.example.com", "https://deep.api.example.com/v1", true)]
    [InlineData("EXAMPLE.com", "https://api.Example.COM", true)]
    [InlineData("localhost, 127.0.0.1", "http://127.0.0.1:8000/v1", true)]
    [InlineData("10.0.0.0/8", "http://10.1.2.3:8000/v1", true)]
    [InlineData("10.0.0.0/8", "http://11.1.2.3:8000/v1", false)]
    [InlineData("10.9.9.9/8", "http://10.1.2.3:8000/v1", true)]
    [InlineData("fd00::/8", "http://[fd12::1]:8000/v1", true)]
    [InlineData("[::1]", "http://[::1]:8000/v1", true)]
    [InlineData("vllm:8000", "http://vllm:8000/v1", true)]
    [InlineData("vllm:8000", "http://vllm:9000/v1", false)]
    [InlineData("svc.cluster.local 10.0.0.0/8", "http://vllm.ns.svc.cluster.local:8000/v1", true)]
    public void No_proxy_follows_curl(string noProxy, string url, bool bypassed)
    {
        var proxy = With(("HTTP_PROXY", "http://proxy:3128"), ("HTTPS_PROXY", "http://proxy:3128"), ("NO_PROXY", noProxy));

        Assert.Equal(bypassed, proxy.IsBypassed(new Uri(url)));
        Assert.Equal(bypassed, proxy.GetProxy(new Uri(url)) is null);
    }

    [Fact]
    public void Credentials_in_the_proxy_url_become_its_basic_credentials_and_leave_the_url()
    {
        var proxy = With(("HTTPS_PROXY", "http://svc%40corp:p%3Ass@proxy:3128"), ("HTTP_PROXY", "http://other:3128"));

        Assert.Equal(new Uri("http://proxy:3128/"), proxy.HttpsProxy);
        var credential = proxy.Credentials!.GetCredential(proxy.HttpsProxy!, "Basic");
        Assert.Equal(("svc@corp", "p:ss"), (credential!.UserName, credential.Password));
        Assert.Equal("Basic " + Convert.ToBase64String("svc@corp:p:ss"u8.ToArray()), proxy.Authorization(proxy.HttpsProxy!));
        Assert.Null(proxy.Authorization(proxy.HttpProxy!));
    }

    [Theory]
    [InlineData("HTTPS_PROXY", "https://user:secret@proxy:3128")]
    [InlineData("http_proxy", "http://")]
    public void A_proxy_variable_that_is_not_an_http_url_is_named_without_its_value(string name, string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => With((name, value)));

        Assert.Contains(name.ToUpperInvariant(), ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
    }
}
