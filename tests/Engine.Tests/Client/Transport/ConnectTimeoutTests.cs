using System.Net;
using System.Net.Sockets;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Client.Transport;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

/// <summary>
/// A connect that gets no answer ends at the connect timeout, apart from the request's own, as a <c>connection</c>
/// failure (issue 22 defect 5). The peer: a listener whose accept queue is full, so the kernel drops the next SYN.
/// </summary>
public sealed class ConnectTimeoutTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly Socket _listener = new(SocketType.Stream, ProtocolType.Tcp);
    private readonly Socket _queued = new(SocketType.Stream, ProtocolType.Tcp);

    public ConnectTimeoutTests()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(0);
        _queued.Connect(_listener.LocalEndPoint!);
    }

    private Uri V1 => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/v1");

    public void Dispose()
    {
        _queued.Dispose();
        _listener.Dispose();
    }

    private CompletionRequest Request() => new(new Uri(V1 + "/chat/completions"), "{}"u8.ToArray(), "c-1");

    [Fact]
    public async Task The_runners_client_gives_up_at_its_connect_timeout_as_a_connection_failure()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var transport = new Http1Transport(time) { ConnectTimeout = TimeSpan.FromSeconds(10) };
        var executor = new RequestExecutor(new OpenAiStreamingClient(transport, time), time);

        var executing = executor.ExecuteAsync(Request(), 0, 0, 1, 1, TimeSpan.FromSeconds(120), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(executing.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        var result = await executing.WaitAsync(Patience);

        Assert.Equal(RequestStatus.Failed, result.Status);
        Assert.Equal(FailureReason.Connection, result.Reason);
        Assert.Contains($"no connection within the connect timeout of 10 s (127.0.0.1:{V1.Port})", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dotnets_client_gives_up_at_its_connect_timeout_as_a_connection_failure()
    {
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromMilliseconds(200), UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
        var executor = new RequestExecutor(new OpenAiStreamingClient(new HttpClientTransport(http), TimeProvider.System), TimeProvider.System);

        var result = await executor.ExecuteAsync(Request(), 0, 0, 1, 1, Patience, CancellationToken.None);

        Assert.Equal(FailureReason.Connection, result.Reason);
        Assert.Contains($"no connection within the connect timeout (127.0.0.1:{V1.Port})", result.Error, StringComparison.Ordinal);
    }
}
