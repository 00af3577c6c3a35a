using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Tests.Client;

public sealed class TargetTransportFactoryTests
{
    private static readonly Uri Http = new("http://vllm:8000/v1/chat/completions");
    private static readonly Uri Https = new("https://vllm.example.com/v1/chat/completions");

    [Fact]
    public void Http_and_https_targets_get_the_http_1_1_client_with_their_verification_and_stamping_settings()
    {
        using var factory = new TargetTransportFactory();
        var defaults = new BenchmarkSettings();

        var plain = Assert.IsType<Http1Transport>(factory.TransportFor(Http, defaults));
        var secure = Assert.IsType<Http1Transport>(factory.TransportFor(Https, defaults));
        var insecure = Assert.IsType<Http1Transport>(factory.TransportFor(Https, defaults with { InsecureSkipVerify = true }));
        var readTimes = Assert.IsType<Http1Transport>(factory.TransportFor(Https, defaults with { KernelTimestamps = false }));

        Assert.Same(plain, secure);
        Assert.Same(plain, factory.TransportFor(Http, defaults with { InsecureSkipVerify = true }));
        Assert.False(secure.InsecureSkipVerify);
        Assert.True(insecure.InsecureSkipVerify);
        Assert.True(insecure.KernelTimestamps);
        Assert.False(readTimes.KernelTimestamps);
        Assert.False(readTimes.InsecureSkipVerify);
    }

    [Fact]
    public void Asking_for_httpclient_gets_dotnets_client_for_either_scheme()
    {
        using var factory = new TargetTransportFactory();
        var settings = new BenchmarkSettings { HttpClient = HttpClientKind.HttpClient };

        Assert.IsType<HttpClientTransport>(factory.TransportFor(Http, settings));
        Assert.IsType<HttpClientTransport>(factory.TransportFor(Https, settings));
    }

    [Fact]
    public void A_targets_connect_timeout_reaches_its_transport()
    {
        using var factory = new TargetTransportFactory();
        var defaults = new BenchmarkSettings();
        var quick = defaults.Set(SettingsTable.ConnectTimeout, TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(10), Assert.IsType<Http1Transport>(factory.TransportFor(Http, defaults)).ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), Assert.IsType<Http1Transport>(factory.TransportFor(Http, quick)).ConnectTimeout);
    }
}
