using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// A connection's socket as a stream, whose reads can carry the kernel's receive time of their bytes
/// (<see cref="KernelReceive"/>). The HTTP/1.1 client reads a plain connection's event streams through it, and a TLS
/// connection's <see cref="System.Net.Security.SslStream"/> reads everything through it, so decrypted bytes keep the
/// arrival of the encrypted bytes they came in.
/// </summary>
internal sealed class StampedSocketStream(Socket socket) : Stream
{
    /// <summary>Reads take the kernel's receive time (the socket must have it switched on).</summary>
    public bool Stamp { get; set; }

    /// <summary>The <see cref="System.Diagnostics.Stopwatch"/> arrival of the last stamped read's bytes; 0 when unknown.</summary>
    public long LastArrival { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    // Socket operations take no token: the connection closes the socket on cancellation, which ends them at once.
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Stamp ? ReceiveStampedAsync(buffer) : socket.ReceiveAsync(buffer, SocketFlags.None, CancellationToken.None);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => socket.Receive(buffer, offset, count, SocketFlags.None);

    /// <summary>Closes the socket: a pending send or receive ends at once.</summary>
    public void Abort() => socket.Dispose();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[await socket.SendAsync(buffer, SocketFlags.None, CancellationToken.None).ConfigureAwait(false)..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        for (var sent = 0; sent < count;)
        {
            sent += socket.Send(buffer, offset + sent, count - sent, SocketFlags.None);
        }
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveStampedAsync(Memory<byte> target)
    {
        while (true)
        {
            // A zero-byte receive waits until bytes are readable without taking them, so the kernel's receive message
            // (with its timestamp) can take them.
            await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
            var read = KernelReceive.Receive(socket, target.Span, out var arrival);
            if (read >= 0)
            {
                LastArrival = arrival;
                return read;
            }
        }
    }
}
