using System.Net;
using System.Net.Sockets;
using GuidellmFunctions.Engine.Client.Transport;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

/// <summary>The HTTP/1.1 client's own socket waits (Linux x64), against a plain TCP peer.</summary>
public sealed class EpollSocketTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static async Task<(EpollSocket Socket, Socket Peer)> ConnectedPairAsync(TcpListener listener)
    {
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var connecting = EpollSocket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), CancellationToken.None);
        var peer = await listener.AcceptSocketAsync();
        return (await connecting, peer);
    }

    [Fact]
    public async Task Bytes_written_in_many_small_pieces_all_arrive()
    {
        if (!EpollLoop.Supported)
        {
            return; // The event threads run on Linux x64 only; CI runs there.
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var (socket, peer) = await ConnectedPairAsync(listener);
        using var closePeer = peer;
        try
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
        }
        finally
        {
            socket.Close();
        }
    }

    [Fact]
    public async Task A_receive_that_took_the_last_bytes_still_sees_the_close_behind_them()
    {
        if (!EpollLoop.Supported)
        {
            return;
        }

        // The bytes and the close arrive together while the receive waits: one event reports both, and the receive that
        // takes the bytes (fewer than it asked for) must not conclude that the next one has to wait for another event.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        for (var round = 0; round < 50; round++)
        {
            var (socket, peer) = await ConnectedPairAsync(listener);
            try
            {
                var buffer = new byte[8192];
                var first = socket.ReceiveAsync(buffer, stamp: false);
                peer.Send("last words"u8);
                peer.Shutdown(SocketShutdown.Both);
                peer.Dispose();
                using var patience = new CancellationTokenSource(Patience);
                Assert.Equal(10, await first.AsTask().WaitAsync(patience.Token));
                Assert.Equal(0, await socket.ReceiveAsync(buffer, stamp: false).AsTask().WaitAsync(patience.Token));
                Assert.Equal(0, await socket.ReceiveAsync(Memory<byte>.Empty, stamp: false).AsTask().WaitAsync(patience.Token));
            }
            finally
            {
                socket.Close();
            }
        }
    }

    [Fact]
    public async Task Closing_ends_a_waiting_receive_and_send_as_aborted()
    {
        if (!EpollLoop.Supported)
        {
            return;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var (socket, peer) = await ConnectedPairAsync(listener);
        using var closePeer = peer;
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
    }

    [Fact]
    public async Task A_send_larger_than_the_socket_buffers_completes_as_the_peer_reads()
    {
        if (!EpollLoop.Supported)
        {
            return;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var (socket, peer) = await ConnectedPairAsync(listener);
        using var closePeer = peer;
        try
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
        }
        finally
        {
            socket.Close();
        }
    }

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
