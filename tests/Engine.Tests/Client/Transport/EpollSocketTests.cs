using System.Net;
using System.Net.Sockets;
using GuidellmFunctions.Engine.Client.Transport;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

/// <summary>The HTTP/1.1 client's own socket waits (Linux x64), against a plain TCP peer.</summary>
public sealed class EpollSocketTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="test"/> on a fresh connection <paramref name="rounds"/> times (on Linux x64, where CI runs).</summary>
    private static async Task OnConnectionsAsync(Func<EpollSocket, Socket, Task> test, int rounds = 1)
    {
        if (!EpollLoop.Supported)
        {
            return;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        for (var round = 0; round < rounds; round++)
        {
            var connecting = EpollSocket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), CancellationToken.None);
            using var peer = await listener.AcceptSocketAsync();
            var socket = await connecting;
            try
            {
                await test(socket, peer);
            }
            finally
            {
                socket.Close();
            }
        }
    }

    [Fact]
    public Task Bytes_written_in_many_small_pieces_all_arrive() => OnConnectionsAsync(async (socket, peer) =>
    {
        const int Pieces = 400;
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < Pieces; i++)
            {
                await peer.SendAsync(new byte[] { (byte)i, (byte)i, (byte)i }, SocketFlags.None);
                if (i % 7 == 0)
                {
                    await Task.Yield();
                }
            }
        });

        var buffer = new byte[64];
        var received = new List<byte>();
        using var patience = new CancellationTokenSource(Patience);
        while (received.Count < Pieces * 3)
        {
            var read = await socket.ReceiveAsync(buffer, stamp: false).AsTask().WaitAsync(patience.Token);
            Assert.True(read > 0);
            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        await writer;
        for (var i = 0; i < Pieces * 3; i++)
        {
            Assert.Equal((byte)(i / 3), received[i]);
        }
    });

    [Fact]
    public Task A_receive_that_took_the_last_bytes_still_sees_the_close_behind_them() => OnConnectionsAsync(async (socket, peer) =>
    {
        // The bytes and the close arrive together while the receive waits: one event reports both, and the receive that
        // takes the bytes (fewer than it asked for) must not conclude that the next one has to wait for another event.
        var buffer = new byte[8192];
        var first = socket.ReceiveAsync(buffer, stamp: false);
        peer.Send("last words"u8);
        peer.Shutdown(SocketShutdown.Both);
        peer.Close();
        using var patience = new CancellationTokenSource(Patience);
        Assert.Equal(10, await first.AsTask().WaitAsync(patience.Token));
        Assert.Equal(0, await socket.ReceiveAsync(buffer, stamp: false).AsTask().WaitAsync(patience.Token));
        Assert.Equal(0, await socket.ReceiveAsync(Memory<byte>.Empty, stamp: false).AsTask().WaitAsync(patience.Token));
    }, rounds: 50);

    [Fact]
    public Task Closing_ends_a_waiting_receive_and_send_as_aborted() => OnConnectionsAsync(async (socket, _) =>
    {
        var receive = socket.ReceiveAsync(new byte[16], stamp: false).AsTask();

        // The peer never reads: a send larger than both socket buffers waits for room.
        var send = socket.SendAsync(new byte[64 * 1024 * 1024]).AsTask();
        Assert.False(receive.IsCompleted);
        Assert.False(send.IsCompleted);
        socket.Close();

        using var patience = new CancellationTokenSource(Patience);
        var received = await Assert.ThrowsAsync<SocketException>(() => receive.WaitAsync(patience.Token));
        var sent = await Assert.ThrowsAnyAsync<Exception>(() => send.WaitAsync(patience.Token));
        Assert.Equal(SocketError.OperationAborted, received.SocketErrorCode);
        Assert.True(sent is SocketException or ObjectDisposedException, sent.ToString());
        await Assert.ThrowsAsync<SocketException>(() => socket.ReceiveAsync(new byte[16], stamp: false).AsTask());
    });

    [Fact]
    public Task A_send_larger_than_the_socket_buffers_completes_as_the_peer_reads() => OnConnectionsAsync(async (socket, peer) =>
    {
        var payload = new byte[16 * 1024 * 1024];
        new Random(3).NextBytes(payload);
        var send = socket.SendAsync(payload).AsTask();
        var received = new byte[payload.Length];
        using var patience = new CancellationTokenSource(Patience);
        for (var at = 0; at < received.Length;)
        {
            at += await peer.ReceiveAsync(received.AsMemory(at), SocketFlags.None, patience.Token);
        }

        Assert.Equal(payload.Length, await send.WaitAsync(patience.Token));
        Assert.Equal(payload, received);
    });

    [Fact]
    public async Task A_refused_connect_fails_with_the_socket_error_and_a_name_is_resolved()
    {
        if (!EpollLoop.Supported)
        {
            return;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var refused = await Assert.ThrowsAsync<SocketException>(() => EpollSocket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), CancellationToken.None).AsTask());
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        using var named = new TcpListener(IPAddress.Loopback, 0);
        named.Start();
        var socket = await EpollSocket.ConnectAsync(new DnsEndPoint("localhost", ((IPEndPoint)named.LocalEndpoint).Port), CancellationToken.None);
        using var peer = await named.AcceptSocketAsync();
        socket.Close();
    }
}
