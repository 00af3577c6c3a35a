using System.Collections.Concurrent;
using System.Text;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

/// <summary>A <c>CONNECT</c> tunnel asked of a scripted proxy: what is sent, and what each refusal says.</summary>
public sealed class Http1TunnelTests
{
    private static readonly Uri Target = new("https://vllm.example:8443/v1/chat/completions");

    private static async Task<HttpRequestException> RefusedAsync(RawSocketServer proxy)
    {
        using var transport = new Http1Transport { Proxy = EnvironmentProxy.From(name => name == "https_proxy" ? $"127.0.0.1:{proxy.Port}" : null) };
        var request = new CompletionRequest(Target, "{}"u8.ToArray(), "t-1");
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        return await Assert.ThrowsAsync<HttpRequestException>(() => transport.SendAsync(request, TargetRequestKind.Completion, patience.Token).AsTask());
    }

    [Theory]
    [InlineData("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", "'HTTP/1.1 403 Forbidden'")]
    [InlineData("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n", "'HTTP/1.1 407 Proxy Authentication Required': it asks for credentials (user:password in the proxy's URL)")]
    [InlineData("HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 200 OK\r\n", "the proxy sent bytes before the TLS handshake began")]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n\r\n", "invalid status line 'SSH-2.0-OpenSSH_9.2'")]
    [InlineData("", "the proxy closed the connection before answering")]
    public async Task A_proxy_that_does_not_open_the_tunnel_fails_the_request_saying_what_it_answered(string answer, string message)
    {
        var heads = new ConcurrentQueue<string>();
        await using var proxy = RawSocketServer.Start(async (head, stream, token) =>
        {
            heads.Enqueue(head);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), token);
            await stream.FlushAsync(token);
            stream.Close();
        });

        var ex = await RefusedAsync(proxy);

        Assert.Equal(HttpRequestError.ProxyTunnelError, ex.HttpRequestError);
        Assert.Equal($"no tunnel to vllm.example:8443 through the proxy 127.0.0.1:{proxy.Port}: {message}", ex.Message);
        var lines = Assert.Single(heads).Split("\r\n");
        Assert.Equal("CONNECT vllm.example:8443 HTTP/1.1", lines[0]);
        Assert.Contains("Host: vllm.example:8443", lines);
    }
}
