using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// A connected, non-blocking TCP socket whose waits go through <see cref="EpollLoop"/>. A receive is tried at once only
/// when bytes may be waiting (an event came since the last receive that left the socket empty); otherwise it waits for
/// the next event, which takes the bytes with one call. One receive and one send may be pending at a time, as on a
/// <see cref="Socket"/>; <see cref="Close"/> ends both with <see cref="SocketError.OperationAborted"/>.
/// </summary>
internal sealed class EpollSocket
{
    /// <summary>EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET.</summary>
    public const uint Interest = 0x1 | 0x4 | 0x2000 | 0x8000_0000;

    private const uint ReadEvents = 0x1 | 0x8 | 0x10 | 0x2000; // IN, ERR, HUP, RDHUP
    private const uint EndEvents = 0x8 | 0x10 | 0x2000; // ERR, HUP, RDHUP
    private const uint WriteEvents = 0x4 | 0x8 | 0x10; // OUT, ERR, HUP

    private readonly Lock _gate = new();
    private readonly Operation _read;
    private readonly Operation _write;
    private readonly long _id;
    private bool _closed;

    private EpollSocket(Socket socket)
    {
        Socket = socket;
        socket.Blocking = false;
        Handle = socket.SafeHandle.DangerousGetHandle();
        _read = new Operation(this, write: false);
        _write = new Operation(this, write: true);
        _id = EpollLoop.Register(this);
    }

    /// <summary>The socket; its descriptor stays open until <see cref="Close"/>.</summary>
    public Socket Socket { get; }

    /// <summary>The descriptor.</summary>
    public nint Handle { get; }

    /// <summary>The epoll set it is in (written once by <see cref="EpollLoop.Register"/>).</summary>
    public int Set { get; set; }

    /// <summary>The kernel's arrival of the last stamped receive's bytes (<see cref="KernelReceive"/>); 0 when unknown.</summary>
    public long LastArrival { get; set; }

    /// <summary>Takes over an already connected <paramref name="socket"/>.</summary>
    public static EpollSocket Attach(Socket socket) => new(socket);

    /// <summary>Connects a TCP socket to <paramref name="endPoint"/>, trying each address a name resolves to in turn.</summary>
    public static async ValueTask<EpollSocket> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        var (addresses, port) = endPoint switch
        {
            IPEndPoint ip => ([ip.Address], ip.Port),
            DnsEndPoint dns => (await Dns.GetHostAddressesAsync(dns.Host, cancellationToken).ConfigureAwait(false), dns.Port),
            _ => throw new ArgumentException($"cannot connect to a {endPoint.GetType().Name}", nameof(endPoint)),
        };
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
            var pending = false;
            try
            {
                socket.Connect(new IPEndPoint(address, port));
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                pending = true;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
                continue;
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            // Registered after connect() so the first event says how the connect ended, not that an unconnected socket
            // is writable.
            EpollSocket connection;
            try
            {
                connection = new EpollSocket(socket);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            try
            {
                if (pending)
                {
                    await connection.ConnectedAsync(cancellationToken).ConfigureAwait(false);
                }

                return connection;
            }
            catch (SocketException ex)
            {
                connection.Close();
                cancellationToken.ThrowIfCancellationRequested();
                last = ex;
            }
            catch
            {
                connection.Close();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Receives into <paramref name="buffer"/>: the bytes received, 0 at the end of the stream.</summary>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="stamp">Take the kernel's receive time as well (<see cref="LastArrival"/>).</param>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, bool stamp) => _read.Start(buffer, stamp);

    /// <summary>Sends all of <paramref name="buffer"/>.</summary>
    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> buffer) => _write.Start(System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer), stamp: false);

    /// <summary>Ends pending operations with <see cref="SocketError.OperationAborted"/> and closes the socket. Idempotent.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        EpollLoop.Unregister(_id, Set, Handle);
        Socket.Dispose();
        _read.Abort();
        _write.Abort();
    }

    /// <summary>Called by the event thread with the events that came for this socket.</summary>
    public void OnEvents(uint events)
    {
        if ((events & ReadEvents) != 0)
        {
            _read.OnEvent(ended: (events & EndEvents) != 0);
        }

        if ((events & WriteEvents) != 0)
        {
            _write.OnEvent(ended: false);
        }
    }

    private ValueTask ConnectedAsync(CancellationToken cancellationToken) => _write.ConnectAsync(cancellationToken);

    private static SocketException Aborted() => new((int)SocketError.OperationAborted);

    private enum Step
    {
        Done,
        Failed,
        NotReady,
    }

    /// <summary>One direction's pending operation and the events seen for it.</summary>
    private sealed class Operation(EpollSocket owner, bool write) : IValueTaskSource<int>
    {
        private ManualResetValueTaskSourceCore<int> _core = new() { RunContinuationsAsynchronously = !EpollLoop.InlineCompletions };
        private long _events;
        private long _emptyAt = -1;
        private bool _ended;
        private bool _pending;
        private bool _connect;
        private bool _stamp;
        private Memory<byte> _buffer;
        private int _done;

        public ValueTask<int> Start(Memory<byte> buffer, bool stamp)
        {
            var done = 0;
            while (true)
            {
                var seen = Volatile.Read(ref _events);
                if (!write && buffer.IsEmpty && seen != _emptyAt)
                {
                    // A zero-byte receive (SslStream's, before it rents a buffer) waits until bytes can be read; it
                    // cannot tell by receiving.
                    if (Volatile.Read(ref _ended) || owner.Socket.Available > 0)
                    {
                        return new ValueTask<int>(0);
                    }

                    _emptyAt = seen;
                }
                else if (write || seen != _emptyAt)
                {
                    var step = Advance(buffer, ref done, stamp, seen, out var result, out var error);
                    if (step == Step.Done)
                    {
                        return new ValueTask<int>(result);
                    }

                    if (step == Step.Failed)
                    {
                        return ValueTask.FromException<int>(new SocketException((int)error));
                    }
                }

                lock (owner._gate)
                {
                    if (owner._closed)
                    {
                        return ValueTask.FromException<int>(Aborted());
                    }

                    if (_events != seen)
                    {
                        continue;
                    }

                    _core.Reset();
                    _buffer = buffer;
                    _done = done;
                    _stamp = stamp;
                    _connect = false;
                    _pending = true;
                    return new ValueTask<int>(this, _core.Version);
                }
            }
        }

        /// <summary>Waits for the first event after a non-blocking connect, then reads how it ended.</summary>
        public async ValueTask ConnectAsync(CancellationToken cancellationToken)
        {
            bool wait;
            lock (owner._gate)
            {
                if (owner._closed)
                {
                    throw Aborted();
                }

                wait = _events == 0;
                if (wait)
                {
                    _core.Reset();
                    _connect = true;
                    _pending = true;
                }
            }

            if (wait)
            {
                using (cancellationToken.UnsafeRegister(static s => ((EpollSocket)s!).Close(), owner))
                {
                    await new ValueTask<int>(this, _core.Version).ConfigureAwait(false);
                }
            }

            var error = (SocketError)(int)owner.Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }
        }

        /// <param name="ended">The peer closed or the connection failed: receives no longer wait for an event that
        /// will not come (a receive that returned the last bytes does not report the end behind them).</param>
        public void OnEvent(bool ended)
        {
            lock (owner._gate)
            {
                _ended |= ended;
                _events++;
                if (!_pending)
                {
                    return;
                }

                _pending = false;
            }

            Resume();
        }

        public void Abort()
        {
            lock (owner._gate)
            {
                if (!_pending)
                {
                    return;
                }

                _pending = false;
            }

            _core.SetException(Aborted());
        }

        public int GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        /// <summary>Carries on the pending operation after an event; parks it again if the socket is not ready after all.</summary>
        private void Resume()
        {
            if (_connect)
            {
                _core.SetResult(0);
                return;
            }

            if (!write && _buffer.IsEmpty)
            {
                Complete(0);
                return;
            }

            while (true)
            {
                var seen = _events;
                Step step;
                int result;
                SocketError error;
                try
                {
                    step = Advance(_buffer, ref _done, _stamp, seen, out result, out error);
                }
                catch (ObjectDisposedException)
                {
                    break;
                }

                if (step == Step.Done)
                {
                    Complete(result);
                    return;
                }

                if (step == Step.Failed)
                {
                    Fail(new SocketException((int)error));
                    return;
                }

                lock (owner._gate)
                {
                    if (owner._closed)
                    {
                        break;
                    }

                    if (_events == seen)
                    {
                        _pending = true;
                        return;
                    }
                }
            }

            Fail(Aborted());
        }

        /// <summary>
        /// Receives once, or sends until <paramref name="buffer"/> is all sent (<paramref name="done"/> bytes of it so far),
        /// without waiting. A receive that leaves the socket empty, or one that would wait, marks the socket empty as of the
        /// <paramref name="seen"/>-th event; a reported close keeps it from being marked after bytes were received.
        /// </summary>
        private Step Advance(Memory<byte> buffer, ref int done, bool stamp, long seen, out int result, out SocketError error)
        {
            while (true)
            {
                result = Attempt(buffer.Span[done..], stamp, out error);
                if (error == SocketError.WouldBlock)
                {
                    _emptyAt = seen;
                    return Step.NotReady;
                }

                if (error != SocketError.Success)
                {
                    return Step.Failed;
                }

                if (!write)
                {
                    if (result < buffer.Length && !Volatile.Read(ref _ended))
                    {
                        _emptyAt = seen;
                    }

                    return Step.Done;
                }

                done += result;
                if (done == buffer.Length)
                {
                    result = done;
                    return Step.Done;
                }
            }
        }

        private void Complete(int result)
        {
            _buffer = default;
            _core.SetResult(result);
        }

        private void Fail(Exception error)
        {
            _buffer = default;
            _core.SetException(error);
        }

        private int Attempt(Span<byte> span, bool stamp, out SocketError error)
        {
            if (write)
            {
                return owner.Socket.Send(span, SocketFlags.None, out error);
            }

            if (!stamp)
            {
                return owner.Socket.Receive(span, SocketFlags.None, out error);
            }

            try
            {
                var read = KernelReceive.Receive(owner.Socket, span, out var arrival);
                if (read < 0)
                {
                    error = SocketError.WouldBlock;
                    return 0;
                }

                owner.LastArrival = arrival;
                error = SocketError.Success;
                return read;
            }
            catch (SocketException ex)
            {
                error = ex.SocketErrorCode;
                return 0;
            }
        }
    }
}
