using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator.Tls;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

/// <summary>The HTTP/1.1 client against a raw socket server that answers with exactly the bytes each test writes.</summary>
public sealed class Http1TransportTests
{
    private const string Json = "{\"choices\":[{\"index\":0,\"message\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static CompletionRequest Request(Uri v1, string id = "r-1", Secret? key = null, IReadOnlyDictionary<string, Secret>? headers = null) =>
        new(new Uri(v1 + "/chat/completions"), Encoding.UTF8.GetBytes("{\"model\":\"m\"}"), id, key, null, headers);

    private static byte[] JsonResponse(string body, string extraHeaders = "") =>
        Encoding.UTF8.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n{extraHeaders}\r\n{body}");

    private static async Task<(int Status, string Body)> SendAsync(Http1Transport transport, CompletionRequest request, CancellationToken token = default)
    {
        await using var response = await transport.SendAsync(request, TargetRequestKind.Completion, token);
        using var reader = new StreamReader(response.Body);
        return (response.StatusCode, await reader.ReadToEndAsync(token));
    }

    [Fact]
    public async Task Requests_in_turn_share_one_kept_alive_connection()
    {
        await using var server = RawSocketServer.Start((s, token) => s.WriteAsync(JsonResponse(Json), token).AsTask());
        using var transport = new Http1Transport();

        for (var i = 0; i < 20; i++)
        {
            var (status, body) = await SendAsync(transport, Request(server.V1, $"r-{i}"));
            Assert.Equal(200, status);
            Assert.Equal(Json, body);
        }

        Assert.Equal(1, server.Connections);
        Assert.Equal(1, transport.IdleConnections(server.V1));
    }

    [Fact]
    public async Task The_request_head_carries_host_id_key_length_and_configured_headers()
    {
        var heads = new ConcurrentQueue<string>();
        await using var server = RawSocketServer.Start((head, s, token) =>
        {
            heads.Enqueue(head);
            return s.WriteAsync(JsonResponse(Json), token).AsTask();
        });
        using var transport = new Http1Transport();
        var headers = new Dictionary<string, Secret> { ["X-Tenant"] = new("blue"), ["user-agent"] = new("mine/2") };

        await SendAsync(transport, Request(server.V1, "id-42", new Secret("sk-test"), headers));

        var lines = Assert.Single(heads).Split("\r\n");
        Assert.Equal("POST /v1/chat/completions HTTP/1.1", lines[0]);
        Assert.Contains($"Host: 127.0.0.1:{server.Port}", lines);
        Assert.Contains("X-Request-Id: id-42", lines);
        Assert.Contains("Authorization: Bearer sk-test", lines);
        Assert.Contains("Content-Type: application/json", lines);
        Assert.Contains("Content-Length: 13", lines);
        Assert.Contains("X-Tenant: blue", lines);
        Assert.Contains("user-agent: mine/2", lines);
        Assert.DoesNotContain("User-Agent: guidellm-runner/1.0", lines);
    }

    [Fact]
    public async Task Without_configured_headers_the_head_names_the_runner_and_asks_for_an_event_stream()
    {
        var heads = new ConcurrentQueue<string>();
        await using var server = RawSocketServer.Start((head, s, token) =>
        {
            heads.Enqueue(head);
            return s.WriteAsync(JsonResponse(Json), token).AsTask();
        });
        using var transport = new Http1Transport();

        await SendAsync(transport, Request(server.V1, "id-7"));

        var lines = Assert.Single(heads).Split("\r\n");
        Assert.Contains("User-Agent: guidellm-runner/1.0", lines);
        Assert.Contains("Accept: text/event-stream", lines);
    }

    [Theory]
    [InlineData("X-Bad", "a\r\nInjected: yes", "the value of header 'X-Bad' contains a line break")]
    [InlineData("Content-Length", "5", "header 'Content-Length' is set by the HTTP client")]
    [InlineData("Bad Name", "x", "header name 'Bad Name' is not a valid HTTP token")]
    public async Task A_header_that_cannot_be_sent_fails_the_request_without_showing_its_value(string name, string value, string message)
    {
        await using var server = RawSocketServer.Start((s, token) => s.WriteAsync(JsonResponse(Json), token).AsTask());
        using var transport = new Http1Transport();

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(transport, Request(server.V1, headers: new Dictionary<string, Secret> { [name] = new(value) })));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Injected", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chunked_bodies_decode_however_the_bytes_are_split()
    {
        // Each request gets a body cut into random chunks (with extensions and a trailer), written in random pieces.
        var random = new Random(7);
        var expected = new ConcurrentQueue<string>();
        await using var server = RawSocketServer.Start(async (s, token) =>
        {
            var body = Letters(random.Next(1, 400));
            expected.Enqueue(body);
            var wire = new List<byte>("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray());
            for (var at = 0; at < body.Length;)
            {
                var n = Math.Min(body.Length - at, random.Next(1, 64));
                wire.AddRange(Encoding.ASCII.GetBytes(random.Next(2) == 0 ? $"{n:x}\r\n" : $"{n:X};ext=1\r\n"));
                wire.AddRange(Encoding.ASCII.GetBytes(body.Substring(at, n) + "\r\n"));
                at += n;
            }

            wire.AddRange(random.Next(2) == 0 ? "0\r\n\r\n"u8.ToArray() : "0\r\nX-Trailer: t\r\n\r\n"u8.ToArray());
            await WriteInPiecesAsync(s, wire, random, 24, token);
        });

        await ExpectBodiesOnOneConnectionAsync(server, expected, 60);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bodies_longer_than_a_read_arrive_whole_and_leave_the_connection_ready_for_the_next(bool chunked)
    {
        // Bodies of 20-120 KB, in pieces of up to 9 KB: more than the connection's buffer and the reader's, so reads go
        // straight into the reader's buffer as well as through the connection's.
        var random = new Random(11);
        var expected = new ConcurrentQueue<string>();
        await using var server = RawSocketServer.Start(async (s, token) =>
        {
            var body = Letters(random.Next(20_000, 120_000));
            expected.Enqueue(body);
            var wire = new List<byte>();
            if (chunked)
            {
                wire.AddRange("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray());
                for (var at = 0; at < body.Length;)
                {
                    var n = Math.Min(body.Length - at, random.Next(1, 30_000));
                    wire.AddRange(Encoding.ASCII.GetBytes($"{n:x}\r\n{body.Substring(at, n)}\r\n"));
                    at += n;
                }

                wire.AddRange("0\r\n\r\n"u8.ToArray());
            }
            else
            {
                wire.AddRange(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
            }

            await WriteInPiecesAsync(s, wire, random, 9_000, token);
        });

        await ExpectBodiesOnOneConnectionAsync(server, expected, 12);
    }

    private static string Letters(int length) => string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + (i % 26))));

    /// <summary>Writes <paramref name="wire"/> in pieces of 1 to <paramref name="maxPiece"/> bytes, each flushed on its own.</summary>
    private static async Task WriteInPiecesAsync(Stream s, List<byte> wire, Random random, int maxPiece, CancellationToken token)
    {
        for (var at = 0; at < wire.Count;)
        {
            var n = Math.Min(wire.Count - at, random.Next(1, maxPiece));
            await s.WriteAsync(wire.GetRange(at, n).ToArray(), token);
            await s.FlushAsync(token);
            at += n;
        }
    }

    /// <summary>Sends <paramref name="requests"/> requests in turn and expects the bodies the server queued, all on one connection.</summary>
    private static async Task ExpectBodiesOnOneConnectionAsync(RawSocketServer server, ConcurrentQueue<string> expected, int requests)
    {
        using var transport = new Http1Transport();
        for (var i = 0; i < requests; i++)
        {
            // A body mis-framed by a byte would wait forever for the rest: fail instead.
            using var patience = new CancellationTokenSource(Patience);
            var (_, body) = await SendAsync(transport, Request(server.V1, $"r-{i}"), patience.Token);
            Assert.True(expected.TryDequeue(out var sent));
            Assert.Equal(sent, body);
        }

        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task A_stream_left_after_done_is_drained_so_its_connection_is_reused()
    {
        // The last chunk arrives after the client has stopped reading at [DONE], as vLLM's may.
        await using var server = RawSocketServer.Start(async (s, token) =>
        {
            await s.WriteAsync((byte[])[.. RawSocketServer.SseHeaders, .. RawSocketServer.ContentEvent("a"), .. RawSocketServer.Chunk("data: [DONE]\n\n"u8)], token);
            await s.FlushAsync(token);
            await Task.Delay(50, token);
            await s.WriteAsync("0\r\n\r\n"u8.ToArray(), token);
        });
        using var transport = new Http1Transport();
        var client = new OpenAiStreamingClient(transport, TimeProvider.System);

        for (var i = 0; i < 3; i++)
        {
            var kinds = new List<StreamEventKind>();
            await foreach (var evt in client.StreamAsync(Request(server.V1, $"s-{i}")))
            {
                kinds.Add(evt.Kind);
            }

            Assert.Equal([StreamEventKind.Headers, StreamEventKind.Chunk, StreamEventKind.Done], kinds);
            await WaitUntil(() => transport.IdleConnections(server.V1) == 1);
        }

        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task Connection_close_is_honoured_and_the_next_request_opens_a_new_connection()
    {
        await using var server = RawSocketServer.AnswerAndClose(JsonResponse(Json, "Connection: close\r\n"));
        using var transport = new Http1Transport();

        Assert.Equal(200, (await SendAsync(transport, Request(server.V1))).Status);
        Assert.Equal(0, transport.IdleConnections(server.V1));
        Assert.Equal(200, (await SendAsync(transport, Request(server.V1))).Status);
        Assert.Equal(2, server.Connections);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_kept_alive_connection_the_server_closed_is_replaced_without_failing_the_request(bool checkBeforeReuse)
    {
        // The server closes each connection after answering without saying so, as one whose keep-alive timer ran out.
        await using var server = RawSocketServer.AnswerAndClose(JsonResponse(Json));
        using var transport = new Http1Transport { CheckAfterIdle = checkBeforeReuse ? TimeSpan.Zero : TimeSpan.FromHours(1) };

        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(20);
            Assert.Equal(200, (await SendAsync(transport, Request(server.V1, $"r-{i}"))).Status);
        }

        Assert.Equal(5, server.Connections);
    }

    [Fact]
    public async Task Cancelling_a_stalled_body_ends_the_read_at_once_and_drops_the_connection()
    {
        await using var server = RawSocketServer.Start(async (s, token) =>
        {
            await s.WriteAsync((byte[])[.. RawSocketServer.SseHeaders, .. RawSocketServer.ContentEvent("a")], token);
            await s.FlushAsync(token);
            await Task.Delay(Timeout.Infinite, token);
        });
        using var transport = new Http1Transport();
        using var cancel = new CancellationTokenSource();

        var response = await transport.SendAsync(Request(server.V1), TargetRequestKind.Completion, cancel.Token);
        var buffer = new byte[4096];
        Assert.True(await response.Body.ReadAsync(buffer, cancel.Token) > 0);
        var stalled = response.Body.ReadAsync(buffer, cancel.Token).AsTask();
        await cancel.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stalled.WaitAsync(Patience));
        Assert.Equal(cancel.Token, ex.CancellationToken);
        await response.DisposeAsync();
        Assert.Equal(0, transport.IdleConnections(server.V1));
    }

    [Fact]
    public async Task A_refused_connection_and_an_unresolvable_name_are_told_apart()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var plain = new Http1Transport();
        using var noDns = new Http1Transport(connect: (_, _) => throw new SocketException((int)SocketError.HostNotFound));
        var executor = new RequestExecutor(new OpenAiStreamingClient(noDns, TimeProvider.System), TimeProvider.System);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(plain, Request(new Uri($"http://127.0.0.1:{port}/v1"))));
        var dns = await executor.ExecuteAsync(Request(new Uri("http://vllm.invalid:8000/v1")), 0, 0, 1, 1, Patience, CancellationToken.None);

        Assert.Equal(HttpRequestError.ConnectionError, refused.HttpRequestError);
        Assert.Contains($"(127.0.0.1:{port})", refused.Message, StringComparison.Ordinal);
        Assert.Equal(FailureReason.Connection, dns.Reason);
        Assert.StartsWith("DNS failure", dns.Error, StringComparison.Ordinal);
        Assert.Contains("(vllm.invalid:8000)", dns.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Idle_connections_are_closed_after_the_idle_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var server = RawSocketServer.Start((s, token) => s.WriteAsync(JsonResponse(Json), token).AsTask());
        using var transport = new Http1Transport(time) { IdleTimeout = TimeSpan.FromSeconds(90) };

        await SendAsync(transport, Request(server.V1));
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(1, transport.IdleConnections(server.V1));
        time.Advance(TimeSpan.FromSeconds(45));

        Assert.Equal(0, transport.IdleConnections(server.V1));
        await SendAsync(transport, Request(server.V1));
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task The_models_request_warms_the_connection_the_completions_then_use()
    {
        var heads = new ConcurrentQueue<string>();
        await using var server = RawSocketServer.Start((head, s, token) =>
        {
            heads.Enqueue(head.Split("\r\n")[0]);
            return s.WriteAsync(JsonResponse("{\"data\":[]}"), token).AsTask();
        });
        using var transport = new Http1Transport();
        var client = new OpenAiStreamingClient(transport, TimeProvider.System);

        Assert.Equal(200, await client.WarmUpAsync(Request(server.V1), Patience, CancellationToken.None));
        await SendAsync(transport, Request(server.V1));

        Assert.Equal(["GET /v1/models HTTP/1.1", "POST /v1/chat/completions HTTP/1.1"], heads);
        Assert.Equal(1, server.Connections);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_streamed_event_is_stamped_when_it_arrived_not_when_it_was_read(bool tls)
    {
        if (!KernelReceive.Supported)
        {
            return; // Read on Linux x64/Arm64 only; CI runs there.
        }

        var send = new SemaphoreSlim(0);
        var sent = new ConcurrentQueue<(long Before, long After)>();
        using var certificate = SelfSignedCertificate.Create("127.0.0.1");
        Func<Stream, CancellationToken, Task> script = async (s, token) =>
        {
            await s.WriteAsync(RawSocketServer.SseHeaders, token);
            await s.FlushAsync(token);
            await send.WaitAsync(token);
            var before = Stopwatch.GetTimestamp();
            await s.WriteAsync(RawSocketServer.ContentEvent("a"), token);
            await s.FlushAsync(token);
            sent.Enqueue((before, Stopwatch.GetTimestamp()));
            await s.WriteAsync(RawSocketServer.Done, token);
        };
        await using var server = tls ? RawSocketServer.StartTls(certificate, script) : RawSocketServer.Start(script);
        using var transport = new Http1Transport { InsecureSkipVerify = tls };
        var client = new OpenAiStreamingClient(transport, TimeProvider.System);
        var stamps = new List<string>();

        // The machine turns timestamping on a moment after the first socket asks: the first bytes may come without.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await using var events = client.StreamAsync(Request(server.V1, $"k-{attempt}")).GetAsyncEnumerator();
            Assert.True(await events.MoveNextAsync());
            Assert.Equal(StreamEventKind.Headers, events.Current.Kind);
            send.Release();
            await WaitUntil(() => !sent.IsEmpty);

            // Real time, because the kernel's clock is: the event waits in the socket well after it arrived.
            await Task.Delay(100);
            var readAt = Stopwatch.GetTimestamp();
            Assert.True(await events.MoveNextAsync());
            Assert.Equal(StreamEventKind.Chunk, events.Current.Kind);
            Assert.True(sent.TryDequeue(out var window));
            var stamp = events.Current.Timestamp;
            var slack = Stopwatch.Frequency / 1000;
            if (stamp >= window.Before - slack && stamp <= window.After + slack)
            {
                Assert.True(readAt - stamp > Stopwatch.Frequency / 20, "the stamp is the arrival, well before the read");
                return;
            }

            stamps.Add($"stamp {Stopwatch.GetElapsedTime(window.Before, stamp).TotalMilliseconds:0.###} ms after the send");
            while (await events.MoveNextAsync())
            {
            }
        }

        Assert.Fail("no event carried its arrival time: " + string.Join(", ", stamps));
    }

    [Fact]
    public async Task An_https_target_is_spoken_to_in_http_1_1_over_tls_on_a_kept_alive_connection()
    {
        using var certificate = SelfSignedCertificate.Create("127.0.0.1");
        await using var server = RawSocketServer.StartTls(certificate, (s, token) => s.WriteAsync(JsonResponse(Json), token).AsTask());
        using var transport = new Http1Transport { InsecureSkipVerify = true };

        for (var i = 0; i < 20; i++)
        {
            var (status, body) = await SendAsync(transport, Request(server.V1, $"t-{i}"));
            Assert.Equal(200, status);
            Assert.Equal(Json, body);
        }

        Assert.Equal(1, server.Connections);
        Assert.Equal(SslApplicationProtocol.Http11, Assert.Single(server.Negotiated));
    }

    [Fact]
    public async Task A_certificate_the_system_does_not_trust_fails_the_request_as_a_tls_error_unless_verification_is_skipped()
    {
        using var certificate = SelfSignedCertificate.Create("127.0.0.1");
        await using var server = RawSocketServer.StartTls(certificate, (s, token) => s.WriteAsync(JsonResponse(Json), token).AsTask());
        using var checking = new Http1Transport();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(checking, Request(server.V1)));

        Assert.Equal(HttpRequestError.SecureConnectionError, error.HttpRequestError);
        Assert.IsType<AuthenticationException>(error.InnerException);
        Assert.Contains($"127.0.0.1:{server.Port}", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, checking.IdleConnections(server.V1));
    }

    [Fact]
    public async Task A_tls_handshake_the_server_never_answers_ends_when_the_request_is_cancelled()
    {
        await using var server = RawSocketServer.StartOnConnect((s, token) => Task.Delay(Timeout.Infinite, token));
        using var transport = new Http1Transport { InsecureSkipVerify = true };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var https = new Uri($"https://127.0.0.1:{server.Port}/v1");

        var ended = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SendAsync(transport, Request(https), cancel.Token));

        Assert.True(ended.Elapsed < Patience, $"took {ended.Elapsed}");
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
