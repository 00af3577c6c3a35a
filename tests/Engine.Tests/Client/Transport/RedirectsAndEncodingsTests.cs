using System.Net;
using System.Net.Sockets;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

/// <summary>
/// What both HTTP clients do behind nginx when it redirects (issue 22 defect 3: not followed, the failure names the
/// status and where it pointed, and the key goes nowhere else) and when it gzips an event stream a target's headers
/// asked to be compressed (defect 4: the failure says so, instead of "stream ended before [DONE]").
/// </summary>
public sealed class RedirectsAndEncodingsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TargetTransportFactory _factory = new();
    private ServerProcess? _upstream;

    public async Task InitializeAsync() => _upstream = await Uvicorn.StartAsync();

    public async Task DisposeAsync()
    {
        _factory.Dispose();
        await _upstream!.DisposeAsync();
    }

    private async Task<RequestResult> SendAsync(int port, HttpClientKind client, Secret? key = null, IReadOnlyDictionary<string, Secret>? headers = null)
    {
        var v1 = new Uri($"http://127.0.0.1:{port}/v1");
        var executor = new RequestExecutor(new OpenAiStreamingClient(_factory.TransportFor(v1, new BenchmarkSettings { HttpClient = client }), TimeProvider.System), TimeProvider.System);
        var body = RequestBodyBuilder.Build(RequestType.ChatCompletions, Uvicorn.Model, "hello", 8, ignoreEos: true);
        return await executor.ExecuteAsync(new CompletionRequest(new Uri(v1 + "/chat/completions"), body, "n-1", key, null, headers), 0, 0, 1, 8, Patience, CancellationToken.None);
    }

    [Theory]
    [InlineData(HttpClientKind.Runner, 307)]
    [InlineData(HttpClientKind.HttpClient, 307)]
    [InlineData(HttpClientKind.Runner, 301)]
    [InlineData(HttpClientKind.HttpClient, 308)]
    public async Task A_redirect_is_not_followed_and_its_failure_names_the_status_and_where_it_pointed(HttpClientKind client, int status)
    {
        // Another host: an address of its own on the loopback network, which must never see the request or its key.
        using var elsewhere = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        elsewhere.Start();
        var other = ((IPEndPoint)elsewhere.LocalEndpoint).Port;
        await using var nginx = await Nginx.StartAsync($"location / {{ return {status} http://127.0.0.2:{other}$request_uri?sig=SECRET-SIG; }}");

        var result = await SendAsync(nginx.Port, client, new Secret("sk-the-key"));

        Assert.Equal(RequestStatus.Failed, result.Status);
        Assert.Equal(status, result.HttpStatus);
        Assert.StartsWith($"HTTP {status}: redirected to http://127.0.0.2:{other}/v1/chat/completions?sig=", result.Error, StringComparison.Ordinal);
        Assert.Contains("the runner does not follow redirects", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-SIG", result.Error, StringComparison.Ordinal);
        Assert.False(elsewhere.Pending(), "the redirect was followed");

        // nginx logs a request once it has finished it, which may be after the client has read the answer.
        var deadline = DateTime.UtcNow + Patience;
        while (nginx.Read("access.log").Length == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Single(nginx.Read("access.log").Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData(HttpClientKind.Runner)]
    [InlineData(HttpClientKind.HttpClient)]
    public async Task A_gzipped_event_stream_fails_naming_the_encoding_and_the_header_that_asked_for_it(HttpClientKind client)
    {
        await using var nginx = await Nginx.StartAsync(Nginx.ProxyTo(Uvicorn.V1(_upstream!)), http: "gzip on;\n  gzip_types text/event-stream;\n  gzip_min_length 0;");

        var plain = await SendAsync(nginx.Port, client);
        var gzipped = await SendAsync(nginx.Port, client, headers: new Dictionary<string, Secret> { ["Accept-Encoding"] = new("gzip") });

        Assert.Equal(RequestStatus.Successful, plain.Status);
        Assert.Equal(RequestStatus.Failed, gzipped.Status);
        Assert.Equal(FailureReason.Protocol, gzipped.Reason);
        Assert.Contains("Content-Encoding: gzip", gzipped.Error, StringComparison.Ordinal);
        Assert.Contains("the target's headers ask for it (Accept-Encoding): remove that header", gzipped.Error, StringComparison.Ordinal);
    }
}
