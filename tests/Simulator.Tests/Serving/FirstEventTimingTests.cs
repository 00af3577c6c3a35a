using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace GuidellmFunctions.Simulator.Tests.Serving;

/// <summary>
/// What a client that is not the runner sees (vLLM's own benchmark client times the first SSE event of any kind): a raw
/// socket, HTTP/1.1 written by hand, the first <c>data:</c> line timed from the request's last byte.
/// </summary>
public sealed class FirstEventTimingTests
{
    [Fact]
    public async Task The_first_sse_event_of_any_kind_comes_with_the_first_token_not_at_arrival()
    {
        // The server never sends a token before its time, so the bound below holds however busy the machine is; a role
        // chunk sent at arrival (what the simulator did before) arrives within milliseconds and fails it.
        const double ttftMs = 300;
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = ttftMs, ItlMs = 5 });
        using var client = new TcpClient();
        await client.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = client.GetStream();
        var body = JsonSerializer.Serialize(new { model = server.Options.Model, messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = 3, stream = true, stream_options = new { include_usage = true } });
        var request = Encoding.ASCII.GetBytes($"POST /v1/chat/completions HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");

        await stream.WriteAsync(request);
        var sent = Stopwatch.GetTimestamp();
        var received = new StringBuilder();
        var buffer = new byte[16384];
        double? headersMs = null;
        double? firstEventMs = null;
        while (!received.ToString().Contains("data: [DONE]", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(read > 0, "connection closed before [DONE]: " + received);
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            var elapsed = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            headersMs ??= received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) ? elapsed : null;
            firstEventMs ??= received.ToString().Contains("data: ", StringComparison.Ordinal) ? elapsed : null;
        }

        var text = received.ToString();
        Assert.StartsWith("HTTP/1.1 200", text, StringComparison.Ordinal);
        Assert.NotNull(headersMs);
        Assert.True(firstEventMs >= ttftMs, $"first event after {firstEventMs:F1} ms, the configured TTFT is {ttftMs} ms");
        var firstEvent = text.IndexOf("data: ", StringComparison.Ordinal);
        Assert.Equal(firstEvent, text.IndexOf("data: {\"id\"", StringComparison.Ordinal));
        Assert.Contains("\"delta\":{\"role\":\"assistant\",\"content\":\"\"}", text[firstEvent..text.IndexOf("\n\n", firstEvent, StringComparison.Ordinal)], StringComparison.Ordinal);
        var truth = Assert.Single(server.GroundTruth.Records);
        Assert.True(truth.TtftMs >= ttftMs);
    }
}
