using System.Text;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

/// <summary>
/// One HTTP/1.1 connection against a scripted peer (<see cref="ScriptedPeer"/>) that cuts its response where each test
/// says: the response head and body framing, what a failure says, and whether the connection is kept for the next
/// request afterwards.
/// </summary>
public sealed class Http1ConnectionTests
{
    private const string Json = "{\"choices\":[{\"index\":0,\"message\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static string JsonResponse(string extraHeaders = "") =>
        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Json.Length}\r\n{extraHeaders}\r\n{Json}";

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64)]
    [InlineData(4096)]
    public async Task A_response_cut_anywhere_is_read_whole_and_the_connection_goes_back_to_its_pool(int piece)
    {
        var peer = ScriptedPeer.Answering(JsonResponse(), [piece]);

        Assert.Equal((200, Json), await peer.ExchangeAsync());
        Assert.Equal(1, peer.Pool.IdleCount);
        Assert.StartsWith("POST /v1/chat/completions HTTP/1.1\r\n", peer.Written, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_body_with_extensions_and_trailers_is_decoded()
    {
        var peer = ScriptedPeer.Answering("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1 \r\n,\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n", [2]);

        Assert.Equal((200, "hello, world"), await peer.ExchangeAsync());
        Assert.Equal(1, peer.Pool.IdleCount);
    }

    [Fact]
    public async Task Interim_responses_are_skipped()
    {
        var peer = ScriptedPeer.Answering("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n" + JsonResponse(), [5]);

        Assert.Equal((200, Json), await peer.ExchangeAsync());
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + Json, "a body read until the server closes")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", "Connection: close")]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", "HTTP/1.0 without keep-alive")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n", "bytes after the response that nobody asked for")]
    public async Task A_connection_that_cannot_serve_another_request_is_closed_after_the_response(string response, string why)
    {
        var peer = ScriptedPeer.Answering(response);

        await peer.ExchangeAsync();

        Assert.True(peer.Pool.IdleCount == 0, why);
        Assert.True(peer.Disposed, why);
    }

    [Fact]
    public async Task A_stream_left_before_its_end_is_drained_in_the_background_so_the_connection_is_kept()
    {
        var peer = ScriptedPeer.Live();
        peer.Send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
        peer.Send(RawSocketServer.Chunk("data: [DONE]\n\n"u8));
        var response = await peer.SendAsync();
        Assert.True(await response.Body.ReadAsync(new byte[64]) > 0);

        await response.DisposeAsync();
        Assert.Equal(0, peer.Pool.IdleCount);
        peer.Send("0\r\n\r\n");

        await WaitUntil(() => peer.Pool.IdleCount == 1);
        Assert.False(peer.Disposed);
    }

    [Fact]
    public async Task A_body_too_long_to_drain_closes_the_connection()
    {
        const int Length = 2 * 1024 * 1024;
        var peer = ScriptedPeer.Answering([.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {Length}\r\n\r\n"), .. new byte[Length]], [16 * 1024]);

        var response = await peer.SendAsync();
        await response.DisposeAsync();

        await WaitUntil(() => peer.Disposed);
        Assert.Equal(0, peer.Pool.IdleCount);
    }

    [Theory]
    [InlineData(true, "", true)]
    [InlineData(false, "", false)]
    [InlineData(true, "HTTP/1.1 200 OK\r\n", false)]
    public async Task Only_a_kept_alive_connection_closed_before_any_response_byte_may_be_retried(bool reused, string partial, bool mayRetry)
    {
        var peer = ScriptedPeer.Answering(partial);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => peer.SendAsync(reused: reused));

        Assert.Equal(HttpRequestError.ResponseEnded, ex.HttpRequestError);
        Assert.Equal(mayRetry, peer.Connection.MayRetry);
        Assert.True(peer.Disposed);
    }

    public static TheoryData<string, string> BrokenBodies() => new()
    {
        { "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", "the response ended 95 bytes before its Content-Length" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "invalid chunked encoding: invalid chunk size line 'zz'" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY", "invalid chunked encoding: a chunk's data is not followed by CRLF" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc", "the response ended inside a chunk" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc", "the response ended after a chunk's data" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer", "the response ended inside its chunked framing" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000\r\n", "invalid chunked encoding: invalid chunk size line '1000000000000'" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + new string('1', 5000), "invalid chunked encoding: a chunk size or trailer line longer than 4096 bytes" },
    };

    [Theory]
    [MemberData(nameof(BrokenBodies))]
    public async Task A_broken_body_is_an_IO_error_naming_the_fault(string response, string message)
    {
        var peer = ScriptedPeer.Answering(response, [7]);

        var ex = await Assert.ThrowsAnyAsync<IOException>(() => peer.ExchangeAsync());

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, peer.Pool.IdleCount);
        Assert.True(peer.Disposed);
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n", HttpRequestError.InvalidResponse, "invalid status line 'SSH-2.0-OpenSSH_9.2'")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-", HttpRequestError.ResponseEnded, "the server closed the connection inside the response headers ('HTTP/1.1 200 OK')")]
    [InlineData("", HttpRequestError.ResponseEnded, "the server closed the connection without a response")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n", HttpRequestError.InvalidResponse, "invalid status line 'HTTP/1.1 2000 OK'")]
    [InlineData("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", HttpRequestError.InvalidResponse, "invalid header line 'No colon here'")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", HttpRequestError.InvalidResponse, "invalid Content-Length '2'")]
    [InlineData("HTTP/1.1 200 OK\r\nX-Evil: \u001b[31m\r\nbad line\r\n\r\n", HttpRequestError.InvalidResponse, "invalid header line 'bad line'")]
    public async Task A_broken_head_fails_before_the_body_naming_the_fault(string response, HttpRequestError error, string message)
    {
        var peer = ScriptedPeer.Answering(response);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => peer.SendAsync());

        Assert.Equal(error, ex.HttpRequestError);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_longer_than_64_KiB_are_refused()
    {
        var peer = ScriptedPeer.Answering("HTTP/1.1 200 OK\r\nX-Big: " + new string('x', 70_000) + "\r\n\r\n", [1000]);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => peer.SendAsync());

        Assert.Equal("response headers longer than 64 KiB", ex.Message);
    }

    [Fact]
    public async Task A_body_read_cancelled_by_its_own_token_ends_at_once_and_closes_the_connection()
    {
        var peer = ScriptedPeer.Live();
        peer.Send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
        var response = await peer.SendAsync();
        using var cancel = new CancellationTokenSource();

        var stalled = response.Body.ReadAsync(new byte[64], cancel.Token).AsTask();
        await cancel.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stalled.WaitAsync(Patience));
        Assert.Equal(cancel.Token, ex.CancellationToken);
        await response.DisposeAsync();
        Assert.True(peer.Disposed);
        Assert.Equal(0, peer.Pool.IdleCount);
    }

    [Fact]
    public async Task The_response_carries_its_status_media_type_and_retry_after()
    {
        var peer = ScriptedPeer.Answering("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json; charset=utf-8\r\nRetry-After: 7\r\nContent-Length: 2\r\n\r\n{}");

        await using var response = await peer.SendAsync();

        Assert.Equal(429, response.StatusCode);
        Assert.False(response.IsSuccessStatusCode);
        Assert.Equal("application/json", response.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(7), response.RetryAfter?.Delta);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
