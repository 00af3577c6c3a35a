using System.Diagnostics;
using System.Text;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Engine.Tests.Client;

public sealed class SseReaderTests
{
    private static async Task<List<string>> ReadAll(byte[] bytes, int[] sizes, int max = 1 << 20)
    {
        using var reader = new SseReader(new TrickleStream(bytes, sizes), TimeProvider.System, max);
        var events = new List<string>();
        while (true)
        {
            var result = await reader.ReadAsync(CancellationToken.None);
            if (result == SseReadResult.EndOfStream)
            {
                return events;
            }

            if (result == SseReadResult.TooLarge)
            {
                events.Add("<too large>");
                return events;
            }

            events.Add((reader.IsErrorEvent ? "error:" : string.Empty) + Encoding.UTF8.GetString(reader.Data));
        }
    }

    [Fact]
    public async Task Reassembles_events_split_at_every_byte_including_inside_utf8_characters()
    {
        var text = "data: {\"c\":\"héllo ✓ 𝄞\"}\n\n: ping\n\ndata: [DONE]\n\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var split = 1; split < bytes.Length; split++)
        {
            var events = await ReadAll(bytes, [split, bytes.Length]);
            Assert.Equal(["{\"c\":\"héllo ✓ 𝄞\"}", "[DONE]"], events);
        }

        Assert.Equal(2, (await ReadAll(bytes, [1])).Count);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public async Task Accepts_every_line_ending(string eol)
    {
        var bytes = Encoding.UTF8.GetBytes($"data: a{eol}{eol}:comment{eol}data: b{eol}{eol}");
        foreach (var size in (int[])[1, 2, 3, 100])
        {
            Assert.Equal(["a", "b"], await ReadAll(bytes, [size]));
        }
    }

    [Fact]
    public async Task Joins_multi_line_data_and_keeps_the_event_name()
    {
        var bytes = Encoding.UTF8.GetBytes("event: error\ndata: {\"a\":\ndata: 1}\n\ndata:no-space\n\nid: 7\nretry: 10\n\n");

        Assert.Equal(["error:{\"a\":\n1}", "no-space"], await ReadAll(bytes, [5]));
    }

    [Fact]
    public async Task Dispatches_a_trailing_event_without_a_blank_line()
    {
        Assert.Equal(["x", "[DONE]"], await ReadAll(Encoding.UTF8.GetBytes("data: x\n\ndata: [DONE]"), [4]));
    }

    [Fact]
    public async Task Refuses_a_line_beyond_the_limit_without_buffering_it_all()
    {
        var bytes = Encoding.UTF8.GetBytes("data: " + new string('x', 5000) + "\n\n");

        Assert.Equal(["<too large>"], await ReadAll(bytes, [512], max: 1024));
        Assert.Single(await ReadAll(bytes, [512], max: 8192), e => e.Length == 5000);
    }

    [Fact]
    public async Task Takes_the_kernel_arrival_time_on_the_system_clock_only_and_never_a_later_one()
    {
        var bytes = Encoding.UTF8.GetBytes("data: a\n\ndata: b\n\n");
        var past = Stopwatch.GetTimestamp() - Stopwatch.Frequency;

        using (var system = new SseReader(new StampedStream(bytes, past), TimeProvider.System))
        {
            Assert.Equal(SseReadResult.Event, await system.ReadAsync(CancellationToken.None));
            Assert.Equal(past, system.Timestamp);
        }

        var time = new FakeTimeProvider();
        using (var other = new SseReader(new StampedStream(bytes, past), time))
        {
            Assert.Equal(SseReadResult.Event, await other.ReadAsync(CancellationToken.None));
            Assert.Equal(time.GetTimestamp(), other.Timestamp);
        }

        using var future = new SseReader(new StampedStream(bytes, Stopwatch.GetTimestamp() + Stopwatch.Frequency), TimeProvider.System);
        Assert.Equal(SseReadResult.Event, await future.ReadAsync(CancellationToken.None));
        Assert.True(future.Timestamp <= Stopwatch.GetTimestamp());
    }

    private sealed class StampedStream(byte[] data, long arrival) : MemoryStream(data), IReceiveTimestamped
    {
        public long LastArrival => arrival;
    }
}
