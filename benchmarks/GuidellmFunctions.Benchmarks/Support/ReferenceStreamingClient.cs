using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>What the reference client measured for one request: its id, when it was sent and when its first content arrived.</summary>
internal readonly record struct ReferenceRequest(string RequestId, long SentTimestamp, long FirstContentTimestamp);

/// <summary>
/// The least a .NET client can do to time a first token: keep-alive sockets, one pre-encoded request, and a byte search
/// for the first non-empty <c>"content":"</c> in what arrives, stamped at once; no SSE parsing, no JSON, no records,
/// histograms or cancellation. Run at the same arrival rate as the runner, its error against the server's ground truth is
/// the floor this machine and runtime set for any client; what the runner shows above it is the runner's own.
/// </summary>
internal static class ReferenceStreamingClient
{
    public static async Task<IReadOnlyList<ReferenceRequest>> RunAsync(Uri endpoint, byte[] body, double ratePerSecond, TimeSpan length)
    {
        var idle = new ConcurrentBag<Socket>();
        var results = new ConcurrentQueue<ReferenceRequest>();
        var inFlight = new List<Task>();
        var interval = TimeSpan.FromSeconds(1 / ratePerSecond);
        var clock = Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < length; i++)
        {
            // Read the clock once: a wait computed from a second reading can come out below -1 ms, which Task.Delay takes
            // as infinite (this hung a run).
            var wait = (interval * i) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait).ConfigureAwait(false);
            }

            var id = $"ref-{i}";
            inFlight.Add(Task.Run(async () => results.Enqueue(await OneAsync(endpoint, body, id, idle).ConfigureAwait(false))));
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        foreach (var socket in idle)
        {
            socket.Dispose();
        }

        return [.. results];
    }

    private static async Task<ReferenceRequest> OneAsync(Uri endpoint, byte[] body, string id, ConcurrentBag<Socket> idle)
    {
        var request = BareHttp.Post(endpoint, body, id);
        if (!idle.TryTake(out var socket))
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(endpoint.Host, endpoint.Port).ConfigureAwait(false);
        }

        var buffer = new byte[16 * 1024];
        var have = 0;
        var sent = Stopwatch.GetTimestamp();
        await socket.SendAsync(request, SocketFlags.None).ConfigureAwait(false);
        long first = 0;
        var searchFrom = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None).ConfigureAwait(false);
            if (read == 0)
            {
                socket.Dispose();
                return new ReferenceRequest(id, sent, first);
            }

            have += read;
            if (first == 0 && FirstContent(buffer.AsSpan(0, have), ref searchFrom))
            {
                first = Stopwatch.GetTimestamp();
            }

            if (BareHttp.EndsResponse(buffer.AsSpan(0, have)))
            {
                idle.Add(socket);
                return new ReferenceRequest(id, sent, first);
            }

            if (have > buffer.Length - 4096)
            {
                // Only the end marker matters from here: keep the tail.
                buffer.AsSpan(have - 16, 16).CopyTo(buffer);
                have = 16;
                searchFrom = 0;
            }
        }
    }

    private static bool FirstContent(ReadOnlySpan<byte> received, ref int searchFrom)
    {
        var marker = "\"content\":\""u8;
        while (true)
        {
            var at = received[searchFrom..].IndexOf(marker);
            if (at < 0)
            {
                searchFrom = Math.Max(0, received.Length - marker.Length);
                return false;
            }

            var next = searchFrom + at + marker.Length;
            if (next >= received.Length)
            {
                return false;
            }

            if (received[next] != (byte)'"')
            {
                return true;
            }

            searchFrom = next;
        }
    }
}
