using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// A connection's socket as a stream, whose reads can carry the kernel's receive time of their bytes
/// (<see cref="KernelReceive"/>). The HTTP/1.1 client reads a plain connection's event streams through it, and a TLS
/// connection's <see cref="System.Net.Security.SslStream"/> reads everything through it, so decrypted bytes keep the
/// arrival of the encrypted bytes they came in. Its sends and receives wait on the client's own event threads when it
/// has an <see cref="EpollSocket"/> (<see cref="EpollLoop"/>), else on .NET's socket engine.
/// </summary>
internal sealed class StampedSocketStream(Socket socket, EpollSocket? events = null) : Stream
{
    private long _lastArrival;

    /// <summary>Reads take the kernel's receive time (the socket must have it switched on).</summary>
    public bool Stamp { get; set; }

    /// <summary>The <see cref="System.Diagnostics.Stopwatch"/> arrival of the last stamped read's bytes; 0 when unknown.</summary>
    public long LastArrival
    {
        get => events?.LastArrival ?? _lastArrival;
        set
        {
            if (events is not null)
            {
                events.LastArrival = value;
            }
            else
            {
                _lastArrival = value;
            }
        }
    }

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
        events is not null ? events.ReceiveAsync(buffer, Stamp)
        : Stamp ? ReceiveStampedAsync(buffer, null)
        : KernelStampsForBodies && ArrivalStampedBody.Reading is { } body && !buffer.IsEmpty ? ReceiveStampedAsync(buffer, body)
        : socket.ReceiveAsync(buffer, SocketFlags.None, CancellationToken.None);

    /// <summary>
    /// Reads started by an <see cref="ArrivalStampedBody"/> (an event stream read through .NET's HttpClient) take the
    /// kernel's receive time and hand it to that body (the socket must have it switched on).
    /// </summary>
    public bool KernelStampsForBodies { get; init; }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => socket.Receive(buffer, offset, count, SocketFlags.None);

    /// <summary>Closes the socket: a pending send or receive ends at once.</summary>
    public void Abort() => Close(socket, events);

    /// <summary>Closes <paramref name="socket"/> through <paramref name="events"/> when it waits on the client's event threads.</summary>
    public static void Close(Socket? socket, EpollSocket? events)
    {
        if (events is not null)
        {
            events.Close();
        }
        else
        {
            socket?.Dispose();
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (events is null)
        {
            return SendAllAsync(buffer);
        }

        // A request fits the socket's send buffer: the send is almost always done before it returns.
        var sent = events.SendAsync(buffer);
        return sent.IsCompletedSuccessfully ? default : new ValueTask(sent.AsTask());
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

    // .NET's HttpClient disposes the stream its ConnectCallback gave it when it drops the connection.
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Abort();
        }

        base.Dispose(disposing);
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[await socket.SendAsync(buffer, SocketFlags.None, CancellationToken.None).ConfigureAwait(false)..];
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveStampedAsync(Memory<byte> target, ArrivalStampedBody? body)
    {
        while (true)
        {
            // A zero-byte receive waits until bytes are readable without taking them, so the kernel's receive message
            // (with its timestamp) can take them.
            await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
            var read = KernelReceive.Receive(socket, target.Span, out var arrival);
            if (read >= 0)
            {
                if (body is null)
                {
                    _lastArrival = arrival;
                }
                else
                {
                    body.LastArrival = arrival;
                }

                return read;
            }
        }
    }
}
