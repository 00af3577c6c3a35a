using System.Text;
using CsCheck;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Reliability;

/// <summary>
/// remote_write response handling against any reply a receiver can send over a real socket: random status codes,
/// Retry-After values, bodies (invalid UTF-8 included), truncated or non-HTTP answers. The client never throws: it
/// reports delivered, rejected with the receiver's status, or undeliverable after its retries.
/// </summary>
public sealed class ReceiverResponseFuzzTests
{
    [Fact]
    public async Task Any_receiver_reply_ends_as_delivered_rejected_or_undeliverable_without_an_exception()
    {
        byte[] reply = [];
        await using var receiver = RawSocketServer.Start(async (stream, token) =>
        {
            var bytes = Volatile.Read(ref reply);
            await stream.WriteAsync(bytes, token);
            await stream.FlushAsync(token);
            if (!Encoding.ASCII.GetString(bytes).Contains("Content-Length", StringComparison.Ordinal))
            {
                stream.Close();
            }
        });
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var config = new RemoteWriteConfig
        {
            Url = new Uri($"http://127.0.0.1:{receiver.Port}/api/v1/write"), Timeout = TimeSpan.FromMilliseconds(500),
            MaxAttempts = 2, MinBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(5),
        };
        var client = new RemoteWriteClient(http, config, TimeProvider.System);
        var protobuf = WriteRequestEncoder.Encode([new SeriesData([new("__name__", "guidellm_requests_total"), new("target", "t")], [(1_764_295_200_000, 1)])]);

        var retryAfter = Gen.OneOf(Gen.Const(string.Empty), Gen.Const("Retry-After: 0\r\n"), Gen.Const("Retry-After: -5\r\n"), Gen.Const("Retry-After: soon\r\n"),
            Gen.Const("Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n"), Gen.Int[0, 3].Select(s => $"Retry-After: {s}\r\n"));
        var wellFormed = Gen.Select(Gen.Int[200, 599], retryAfter, Gen.Byte.Array[0, 200]).Select((status, header, body) => (status, bytes:
            (byte[])[.. Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Whatever\r\n{header}Content-Type: text/plain\r\nContent-Length: {body.Length}\r\n\r\n"), .. body]));
        var broken = Gen.OneOf(Gen.Byte.Array[0, 100], Gen.Const("HTTP/1.1 200"u8.ToArray()), Gen.Const("HTTP/1.1 500 Oops\r\nContent-Length: 10\r\n\r\nabc"u8.ToArray()))
            .Select(bytes => (status: 0, bytes));
        await Gen.Frequency((3, wellFormed), (1, broken)).SampleAsync(async sample =>
        {
            Volatile.Write(ref reply, sample.bytes);

            var result = await client.SendAsync(protobuf, CancellationToken.None);

            var expected = sample.status switch
            {
                >= 200 and < 300 => DeliveryOutcome.Delivered,
                429 or >= 500 or 0 => DeliveryOutcome.Undeliverable,
                _ => DeliveryOutcome.Rejected,
            };
            Assert.Equal(expected, result.Outcome);
            if (result.Outcome == DeliveryOutcome.Rejected)
            {
                Assert.StartsWith($"HTTP {sample.status}", result.Message, StringComparison.Ordinal);
            }
            else if (result.Outcome == DeliveryOutcome.Undeliverable)
            {
                Assert.False(string.IsNullOrWhiteSpace(result.Message));
            }
        }, iter: 150, threads: 1);
    }
}
