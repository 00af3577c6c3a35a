using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

/// <summary>
/// Targets behind a real forward proxy (tinyproxy, which logs every request it takes), through both HTTP clients:
/// <c>http</c> URLs asked of the proxy in absolute form, <c>https</c> URLs through a <c>CONNECT</c> tunnel, <c>NO_PROXY</c>
/// hosts direct, and the proxy's credentials taken from its URL (issue 22 defect 2).
/// </summary>
public sealed class ThroughProxiesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static TargetTransportFactory Through(params (string Name, string Value)[] environment) =>
        new() { Proxy = () => EnvironmentProxy.From(name => environment.FirstOrDefault(v => v.Name == name).Value) };

    private static async Task<StreamEvent> LastEventAsync(TargetTransportFactory factory, SimulatorServer target, HttpClientKind client, ProxySetting? proxy = null)
    {
        var transport = factory.TransportFor(target.V1, new BenchmarkSettings { HttpClient = client, InsecureSkipVerify = true, Proxy = proxy });
        var body = RequestBodyBuilder.Build(RequestType.ChatCompletions, target.Options.Model, "hello", 3, ignoreEos: true);
        using var patience = new CancellationTokenSource(Patience);
        var last = default(StreamEvent);
        await foreach (var evt in new OpenAiStreamingClient(transport, TimeProvider.System).StreamAsync(new CompletionRequest(new Uri(target.V1 + "/chat/completions"), body, "p-1"), patience.Token))
        {
            last = evt;
        }

        return last;
    }

    [Theory]
    [InlineData(HttpClientKind.Runner, false, "http_proxy", "POST http://127.0.0.1:{0}/v1/chat/completions HTTP/1.1")]
    [InlineData(HttpClientKind.HttpClient, false, "http_proxy", "POST http://127.0.0.1:{0}/v1/chat/completions HTTP/1.1")]
    [InlineData(HttpClientKind.Runner, true, "HTTPS_PROXY", "CONNECT 127.0.0.1:{0} HTTP/1.1")]
    [InlineData(HttpClientKind.HttpClient, true, "HTTPS_PROXY", "CONNECT 127.0.0.1:{0} HTTP/1.1")]
    public async Task Http_targets_are_asked_of_the_proxy_in_absolute_form_and_https_ones_go_through_a_tunnel(HttpClientKind client, bool tls, string variable, string logged)
    {
        await using var proxy = await Tinyproxy.StartAsync();
        await using var target = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 1, ItlMs = 1, Tls = tls });
        using var factory = Through((variable, $"127.0.0.1:{proxy.Port}"));

        Assert.Equal(StreamEventKind.Done, (await LastEventAsync(factory, target, client)).Kind);

        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, logged, target.V1.Port), Tinyproxy.Requests(proxy));
    }

    [Theory]
    [InlineData(HttpClientKind.Runner)]
    [InlineData(HttpClientKind.HttpClient)]
    public async Task A_target_named_in_no_proxy_is_reached_direct(HttpClientKind client)
    {
        await using var proxy = await Tinyproxy.StartAsync();
        await using var target = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 1, ItlMs = 1 });
        using var factory = Through(("HTTP_PROXY", $"http://127.0.0.1:{proxy.Port}"), ("NO_PROXY", "localhost,127.0.0.0/8"));

        Assert.Equal(StreamEventKind.Done, (await LastEventAsync(factory, target, client)).Kind);

        Assert.Empty(Tinyproxy.Requests(proxy));
    }

    [Theory]
    [InlineData(HttpClientKind.Runner, false)]
    [InlineData(HttpClientKind.Runner, true)]
    [InlineData(HttpClientKind.HttpClient, false)]
    [InlineData(HttpClientKind.HttpClient, true)]
    public async Task A_proxy_that_asks_for_credentials_gets_those_of_its_url(HttpClientKind client, bool tls)
    {
        await using var proxy = await Tinyproxy.StartAsync(("runner", "s3cret-pw"));
        await using var target = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 1, ItlMs = 1, Tls = tls });
        using var factory = Through(("http_proxy", $"http://runner:s3cret-pw@127.0.0.1:{proxy.Port}"), ("https_proxy", $"http://runner:s3cret-pw@127.0.0.1:{proxy.Port}"));

        Assert.Equal(StreamEventKind.Done, (await LastEventAsync(factory, target, client)).Kind);
    }

    [Theory]
    [InlineData(false, "HTTP 407")]
    [InlineData(true, "through the proxy 127.0.0.1")]
    public async Task A_proxy_that_asks_for_credentials_it_was_not_given_fails_the_request_saying_so(bool tls, string message)
    {
        await using var proxy = await Tinyproxy.StartAsync(("runner", "s3cret-pw"));
        await using var target = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 1, ItlMs = 1, Tls = tls });
        using var factory = Through(("http_proxy", $"http://127.0.0.1:{proxy.Port}"), ("https_proxy", $"http://127.0.0.1:{proxy.Port}"));
        var executor = new RequestExecutor(new OpenAiStreamingClient(factory.TransportFor(target.V1, new BenchmarkSettings { InsecureSkipVerify = true }), TimeProvider.System), TimeProvider.System);
        var body = RequestBodyBuilder.Build(RequestType.ChatCompletions, target.Options.Model, "hello", 3, ignoreEos: true);

        var result = await executor.ExecuteAsync(new CompletionRequest(new Uri(target.V1 + "/chat/completions"), body, "p-2"), 0, 0, 1, 3, Patience, CancellationToken.None);

        Assert.Equal(RequestStatus.Failed, result.Status);
        Assert.Equal(tls ? FailureReason.Connection : FailureReason.Http4xx, result.Reason);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        if (tls)
        {
            Assert.Contains("407", result.Error, StringComparison.Ordinal);
            Assert.Contains("it asks for credentials", result.Error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(HttpClientKind.Runner)]
    [InlineData(HttpClientKind.HttpClient)]
    public async Task A_targets_proxy_setting_takes_the_place_of_the_environments(HttpClientKind client)
    {
        await using var proxy = await Tinyproxy.StartAsync(("runner", "s3cret-pw"));
        await using var target = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 1, ItlMs = 1, Tls = true });
        using var factory = Through(("HTTPS_PROXY", $"http://127.0.0.1:{LoopbackPorts.Free()}"));
        var configured = new ProxySetting(new Uri($"http://127.0.0.1:{proxy.Port}"), "runner", new Secret("s3cret-pw"));

        Assert.Equal(StreamEventKind.Done, (await LastEventAsync(factory, target, client, configured)).Kind);

        Assert.Contains($"CONNECT 127.0.0.1:{target.V1.Port} HTTP/1.1", Tinyproxy.Requests(proxy));
    }

    [Theory]
    [InlineData(HttpClientKind.Runner)]
    [InlineData(HttpClientKind.HttpClient)]
    public async Task Proxy_none_goes_direct_whatever_the_environment_says(HttpClientKind client)
    {
        await using var target = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 1, ItlMs = 1 });
        using var factory = Through(("HTTP_PROXY", $"http://127.0.0.1:{LoopbackPorts.Free()}"));

        Assert.Equal(StreamEventKind.Done, (await LastEventAsync(factory, target, client, ProxySetting.Direct)).Kind);
    }
}
