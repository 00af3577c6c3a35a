// Longer than the project's ~400 lines on purpose: one connection's read path (its receive buffer, the response head,
// the body's framing state, the drain and the decision to keep or close the connection) shares every field below, and
// each streamed chunk passes through it; split apart, those fields would be reached through another object on every
// chunk. Its parts are tested one by one (Http1ConnectionTests, Http1ResponseFuzzTests).
using System.Buffers;
using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// One keep-alive HTTP/1.1 connection, plain or over TLS: writes a request, parses the response head and decodes the body
/// (Content-Length, chunked, or until close) from one receive buffer, with no allocation per request or per chunk. A
/// connection serves one request at a time; its response and body stream objects are reused for the next request once
/// it is released.
/// </summary>
internal sealed class Http1Connection
{
    private const int InitialBufferSize = 8 * 1024;
    private const int MaxChunkLine = 4 * 1024;
    private const int MaxDrainBytes = 1024 * 1024;
    private static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(2);
    private static readonly Action<object?> AbortCallback = static s => ((Http1Connection)s!).Abort();

    private readonly Socket _socket;
    private readonly StampedSocketStream _socketStream;
    private readonly Stream? _tls;
    private readonly Http1Pool _pool;
    private readonly Response _response;
    private readonly BodyStream _body;
    private readonly bool _kernelTimestamps;
    // Pinned: it lives as long as the connection and every read fills it (see PinnedBufferPool); not pooled, because an
    // abort can race a read still writing into it.
    private byte[] _buffer = GC.AllocateUninitializedArray<byte>(InitialBufferSize, pinned: true);
    private int _start;
    private int _end;
    private int _aborted;
    private CancellationToken _requestToken;
    private CancellationTokenRegistration _abortOnCancel;
    private Http1ResponseHead _head;
    private long _remaining;
    private ChunkState _chunkState;
    private bool _bodyComplete;
    private bool _receivedResponse;
    private bool _released;
    private bool _reused;
    private bool _carried;

    /// <param name="socket">The connected socket.</param>
    /// <param name="pool">Where the connection goes back after a request.</param>
    /// <param name="createdAt">When it was opened.</param>
    /// <param name="kernelTimestamps">The kernel timestamps what the socket receives (<see cref="KernelReceive.Enable"/>).</param>
    /// <param name="socketStream"><paramref name="socket"/> as a stream; under <paramref name="tls"/> when there is one.</param>
    /// <param name="tls">The authenticated TLS session over <paramref name="socketStream"/> (an <see cref="SslStream"/>), or null for plain HTTP.</param>
    public Http1Connection(Socket socket, Http1Pool pool, long createdAt, bool kernelTimestamps = false, StampedSocketStream? socketStream = null, Stream? tls = null)
    {
        _socket = socket;
        _socketStream = socketStream ?? new StampedSocketStream(socket);
        _tls = tls;
        _kernelTimestamps = kernelTimestamps;
        _pool = pool;
        CreatedAt = createdAt;
        IdleSince = createdAt;
        _response = new Response(this);
        _body = new BodyStream(this);
    }

    private enum ChunkState
    {
        Size,
        Data,
        DataEnd,
        Trailers,
    }

    /// <summary>When the connection was opened (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long CreatedAt { get; }

    /// <summary>How long opening it took: TCP connect, a proxy's tunnel and the TLS handshake.</summary>
    public TimeSpan OpenTime { get; init; }

    /// <summary>When the connection last went back to its pool.</summary>
    public long IdleSince { get; set; }

    /// <summary>
    /// The last request failed the way a request sent on a connection the server had already closed fails (nothing of a
    /// response arrived on a connection used before), so it can be sent again on a new connection.
    /// </summary>
    public bool MayRetry { get; private set; }

    private int Buffered => _end - _start;

    /// <summary>See <see cref="IReceiveTimestamped.LastArrival"/>: known for event-stream bodies on a timestamping socket.</summary>
    public long LastArrival => _socketStream.LastArrival;

    /// <summary>True while the peer has neither closed the connection nor sent anything unasked.</summary>
    public bool IsOpenAndQuiet()
    {
        try
        {
            // A TLS 1.3 server sends its session tickets after the handshake, so a connection that has carried no request
            // yet (pre-opened) is readable with them waiting; one the server closed has nothing to read. A close the
            // check misses fails the request before any response, which is then sent again on a new connection.
            return Volatile.Read(ref _aborted) == 0
                && (!_socket.Poll(0, SelectMode.SelectRead) || (_tls is not null && !_carried && _socket.Available > 0));
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Closes the socket; a pending send or receive ends at once.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            _socketStream.Abort();
            _tls?.Dispose();
        }
    }

    /// <summary>Sends the request and returns once the response head is read.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TargetResponse> SendAsync(CompletionRequest request, Http1Endpoint endpoint, bool post, bool reused, CancellationToken cancellationToken)
    {
        _start = _end = 0;
        _bodyComplete = false;
        _receivedResponse = false;
        _released = false;
        _reused = reused;
        _carried = true;
        _socketStream.Stamp = false;
        _socketStream.LastArrival = 0;
        MayRetry = false;
        _requestToken = cancellationToken;
        _abortOnCancel = cancellationToken.UnsafeRegister(AbortCallback, this);
        try
        {
            // Socket operations take no token: the request's registration closes the socket, which ends them at once,
            // without a registration per send and receive.
            var message = RentRequest(request, endpoint, post, out var rented);
            try
            {
                await (_tls ?? (Stream)_socketStream).WriteAsync(message, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            var scanned = 0;
            while (!TryTakeHead(ref scanned))
            {
                var read = await ReceiveAsync(FillTarget(Http1ResponseHead.MaxLength + 4)).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new HttpRequestException(HttpRequestError.ResponseEnded, _receivedResponse
                        ? $"the server closed the connection inside the response headers ('{FirstLine()}')"
                        : "the server closed the connection without a response");
                }

                _end += read;
                _receivedResponse = true;
                if (!Http1ResponseHead.CanStartStatusLine(_buffer.AsSpan(_start, Buffered)))
                {
                    throw new HttpRequestException(HttpRequestError.InvalidResponse, $"invalid status line '{FirstLine()}'");
                }
            }

            return _response;
        }
        catch (Exception ex)
        {
            await _abortOnCancel.DisposeAsync().ConfigureAwait(false);
            Abort();
            // Over TLS the reset or broken pipe of a connection the server had closed comes wrapped in an IOException.
            MayRetry = reused && !_receivedResponse && !cancellationToken.IsCancellationRequested
                && ex is SocketException or IOException or HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded };
            throw Translate(ex, inBody: false, cancellationToken);
        }
    }

    private ReadOnlyMemory<byte> RentRequest(CompletionRequest request, Http1Endpoint endpoint, bool post, out byte[] rented)
    {
        var body = post ? request.Body : ReadOnlyMemory<byte>.Empty;
        rented = ArrayPool<byte>.Shared.Rent(Http1RequestHead.MaxLength(request, endpoint) + body.Length);
        var length = Http1RequestHead.Write(rented, request, endpoint, post, body.Length);
        body.Span.CopyTo(rented.AsSpan(length));
        return rented.AsMemory(0, length + body.Length);
    }

    /// <summary>Parses a response head when one is buffered: true with the final (non-1xx) head begun.</summary>
    private bool TryTakeHead(ref int scanned)
    {
        while (true)
        {
            var end = _buffer.AsSpan(_start + scanned, Buffered - scanned).IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                if (Buffered >= Http1ResponseHead.MaxLength)
                {
                    throw new HttpRequestException(HttpRequestError.InvalidResponse, $"response headers longer than {Http1ResponseHead.MaxLength / 1024} KiB");
                }

                scanned = Math.Max(0, Buffered - 3);
                return false;
            }

            end += scanned;
            var head = Http1ResponseHead.Parse(_buffer.AsSpan(_start, end));
            _start += end + 4;
            scanned = 0;

            // An interim response (100 Continue, 103 Early Hints): the real one follows.
            if (head.StatusCode >= 200)
            {
                Begin(head);
                return true;
            }
        }
    }

    private string FirstLine()
    {
        var received = _buffer.AsSpan(_start, Buffered);
        var end = received.IndexOf("\r\n"u8);
        return Http1ResponseHead.Printable(end < 0 ? received : received[..end]);
    }

    private void Begin(in Http1ResponseHead head)
    {
        _head = head;
        _socketStream.Stamp = _kernelTimestamps && head.MediaType == "text/event-stream";
        _chunkState = ChunkState.Size;
        _remaining = head.ContentLength;
        if (head.Framing == Http1BodyFraming.Length && head.ContentLength == 0)
        {
            Complete();
        }
    }

    private void Complete() => _bodyComplete = true;

    /// <summary>
    /// Reads body bytes into <paramref name="destination"/>; 0 at the end of the body. Answered from the bytes already
    /// buffered when they suffice (an event stream's chunk usually arrives whole, with the next chunk's framing), and
    /// otherwise by one async method that receives and decodes in a loop, so a stream's read waits on the socket through
    /// two layers, not one per framing step.
    /// </summary>
    private ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_bodyComplete || destination.IsEmpty)
        {
            return new ValueTask<int>(0);
        }

        // The request's own token already aborts the connection; another token gets a registration for this read.
        if (cancellationToken.CanBeCanceled && cancellationToken != _requestToken)
        {
            return ReadBodyWithTokenAsync(destination, cancellationToken);
        }

        try
        {
            if (TryDecodeBuffered(destination.Span, out var read))
            {
                return new ValueTask<int>(read);
            }
        }
        catch (Exception ex)
        {
            Abort();
            return ValueTask.FromException<int>(Translate(ex, inBody: true, cancellationToken));
        }

        return ReceiveBodyAsync(destination, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadBodyWithTokenAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            Abort();
            throw Translate(new OperationCanceledException(cancellationToken), inBody: true, cancellationToken);
        }

        var registration = cancellationToken.UnsafeRegister(AbortCallback, this);
        try
        {
            return await ReceiveBodyAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Receives until the body yields bytes into <paramref name="destination"/> or ends.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveBodyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (TryDecodeBuffered(destination.Span, out var decoded))
                {
                    return decoded;
                }

                // Body bytes with nothing buffered go straight to the destination; framing goes through the buffer.
                var direct = Buffered == 0 ? BodyBytesWanted(destination.Length) : 0;
                var read = await ReceiveAsync(direct > 0 ? destination[..direct] : FillTarget(_buffer.Length)).ConfigureAwait(false);
                if (read == 0)
                {
                    EndOfBody();
                    return 0;
                }

                if (direct == 0)
                {
                    _end += read;
                    continue;
                }

                return Counted(read);
            }
        }
        catch (Exception ex)
        {
            Abort();
            throw Translate(ex, inBody: true, cancellationToken);
        }
    }

    /// <summary>
    /// Counts <paramref name="read"/> body bytes handed out against what the framing announced (a Content-Length body,
    /// or the current chunk); a Content-Length body is complete once all of it has been. Returns <paramref name="read"/>.
    /// </summary>
    private int Counted(int read)
    {
        if (_head.Framing != Http1BodyFraming.UntilClose)
        {
            _remaining -= read;
            if (_remaining == 0 && _head.Framing == Http1BodyFraming.Length)
            {
                Complete();
            }
        }

        return read;
    }

    /// <summary>How many body bytes a receive may put straight into a destination of <paramref name="length"/>; 0 while framing is due.</summary>
    private int BodyBytesWanted(int length) => _head.Framing switch
    {
        Http1BodyFraming.Length => (int)Math.Min(length, _remaining),
        Http1BodyFraming.UntilClose => length,
        _ => _chunkState == ChunkState.Data ? (int)Math.Min(length, _remaining) : 0,
    };

    /// <summary>The connection closed with the body read this far: its end for a body read until close, else an error.</summary>
    private void EndOfBody()
    {
        switch (_head.Framing)
        {
            case Http1BodyFraming.UntilClose:
                Complete();
                return;
            case Http1BodyFraming.Length:
                throw Ended($"the response ended {_remaining} bytes before its Content-Length");
            default:
                throw Ended(_chunkState switch
                {
                    ChunkState.Data => "the response ended inside a chunk",
                    ChunkState.DataEnd => "the response ended after a chunk's data",
                    _ => "the response ended inside its chunked framing",
                });
        }
    }

    /// <summary>
    /// Decodes what is buffered: true with the body bytes copied into <paramref name="destination"/> (0 when the body
    /// ended), false when more must be received first.
    /// </summary>
    private bool TryDecodeBuffered(Span<byte> destination, out int read)
    {
        read = 0;
        if (_bodyComplete)
        {
            return true;
        }

        switch (_head.Framing)
        {
            case Http1BodyFraming.Length:
                if (Buffered == 0)
                {
                    return false;
                }

                read = Counted(TakeBuffered(destination, _remaining));
                return true;

            case Http1BodyFraming.UntilClose:
                if (Buffered == 0)
                {
                    return false;
                }

                read = TakeBuffered(destination, long.MaxValue);
                return true;

            default:
                return TryDecodeChunked(destination, out read);
        }
    }

    private bool TryDecodeChunked(Span<byte> destination, out int read)
    {
        read = 0;
        while (true)
        {
            switch (_chunkState)
            {
                case ChunkState.Data when _remaining > 0:
                    if (Buffered == 0)
                    {
                        return false;
                    }

                    read = Counted(TakeBuffered(destination, _remaining));
                    return true;

                case ChunkState.Data:
                    _chunkState = ChunkState.DataEnd;
                    break;

                case ChunkState.DataEnd:
                    if (Buffered < 2)
                    {
                        return false;
                    }

                    if (_buffer[_start] != '\r' || _buffer[_start + 1] != '\n')
                    {
                        throw InvalidChunk("a chunk's data is not followed by CRLF");
                    }

                    _start += 2;
                    _chunkState = ChunkState.Size;
                    break;

                case ChunkState.Size:
                {
                    if (!TryTakeLine(out var line))
                    {
                        return false;
                    }

                    _remaining = ChunkSize(line);
                    _chunkState = _remaining == 0 ? ChunkState.Trailers : ChunkState.Data;
                    break;
                }

                case ChunkState.Trailers:
                    if (!TryTakeLine(out var trailer))
                    {
                        return false;
                    }

                    if (trailer.IsEmpty)
                    {
                        Complete();
                        return true;
                    }

                    break;
            }
        }
    }

    /// <summary>Takes a buffered CRLF-terminated line (without its CRLF); false when none is whole yet.</summary>
    private bool TryTakeLine(out ReadOnlySpan<byte> line)
    {
        var buffered = _buffer.AsSpan(_start, Buffered);
        var end = buffered.IndexOf("\r\n"u8);
        if (end < 0)
        {
            if (Buffered > MaxChunkLine)
            {
                throw InvalidChunk($"a chunk size or trailer line longer than {MaxChunkLine} bytes");
            }

            line = default;
            return false;
        }

        line = buffered[..end];
        _start += end + 2;
        return true;
    }

    private static long ChunkSize(ReadOnlySpan<byte> line)
    {
        if (!Utf8Parser.TryParse(line, out ulong size, out var used, 'X') || used == 0 || used > 12
            || (used < line.Length && line[used] is not ((byte)';' or (byte)' ' or (byte)'\t')))
        {
            throw InvalidChunk($"invalid chunk size line '{Http1ResponseHead.Printable(line)}'");
        }

        return (long)size;
    }

    /// <summary>Copies up to <paramref name="limit"/> buffered bytes into <paramref name="destination"/>.</summary>
    private int TakeBuffered(Span<byte> destination, long limit)
    {
        var n = (int)Math.Min(Math.Min(destination.Length, limit), Buffered);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }

    /// <summary>Where the next receive goes: after the bytes buffered, compacting or growing the buffer up to <paramref name="limit"/>.</summary>
    private Memory<byte> FillTarget(int limit)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, Buffered).CopyTo(_buffer);
                _end = Buffered;
                _start = 0;
            }
            else
            {
                var bigger = GC.AllocateUninitializedArray<byte>(Math.Min(limit, _buffer.Length * 2), pinned: true);
                _buffer.AsSpan(0, _end).CopyTo(bigger);
                _buffer = bigger;
            }
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>Receives bytes (decrypted under TLS); an event stream's with their kernel arrival time (<see cref="LastArrival"/>).</summary>
    private ValueTask<int> ReceiveAsync(Memory<byte> target) => _tls is null ? _socketStream.ReadAsync(target, CancellationToken.None) : _tls.ReadAsync(target, CancellationToken.None);

    private Exception Translate(Exception ex, bool inBody, CancellationToken readToken)
    {
        if (_requestToken.IsCancellationRequested || readToken.IsCancellationRequested)
        {
            return new OperationCanceledException("the request was cancelled", ex, _requestToken.IsCancellationRequested ? _requestToken : readToken);
        }

        if (ex is HttpRequestException or HttpIOException)
        {
            return ex;
        }

        return inBody
            ? new HttpIOException(HttpRequestError.ResponseEnded, $"the connection broke while the response was read: {ex.Message}", ex)
            : new HttpRequestException(HttpRequestError.ConnectionError, $"the connection broke before the response headers: {ex.Message}", ex);
    }

    private static HttpIOException Ended(string message) => new(HttpRequestError.ResponseEnded, message);

    private static HttpIOException InvalidChunk(string message) => new(HttpRequestError.InvalidResponse, "invalid chunked encoding: " + message);

    /// <summary>Ends the request: back to the pool when its body was read to the end, else closed.</summary>
    private ValueTask ReleaseAsync()
    {
        if (_released)
        {
            return default;
        }

        _released = true;
        if (!_bodyComplete && _head.KeepAlive && Volatile.Read(ref _aborted) == 0)
        {
            // A stream is usually left after [DONE] with only the last chunk to come: read it rather than lose the connection.
            var drain = DrainAsync();
            if (!drain.IsCompleted)
            {
                _ = FinishDrainAsync(drain);
                return default;
            }

            _ = drain.Result;
        }

        Finish();
        return default;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> DrainAsync()
    {
        var scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            for (long drained = 0; !_bodyComplete && drained <= MaxDrainBytes;)
            {
                drained += await ReadBodyAsync(scratch, CancellationToken.None).ConfigureAwait(false);
            }

            return _bodyComplete;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private async Task FinishDrainAsync(ValueTask<bool> drain)
    {
        using var limit = new CancellationTokenSource(DrainTime);
        await using (limit.Token.UnsafeRegister(AbortCallback, this).ConfigureAwait(false))
        {
            await drain.ConfigureAwait(false);
        }

        Finish();
    }

    private void Finish()
    {
        _abortOnCancel.Dispose();
        if (_bodyComplete && _head.KeepAlive && Buffered == 0 && Volatile.Read(ref _aborted) == 0)
        {
            _pool.Return(this);
        }
        else
        {
            Abort();
        }
    }

    private sealed class Response(Http1Connection connection) : TargetResponse
    {
        public override int StatusCode => connection._head.StatusCode;

        public override string? MediaType => connection._head.MediaType;

        public override RetryConditionHeaderValue? RetryAfter =>
            RetryConditionHeaderValue.TryParse(connection._head.RetryAfter, out var value) ? value : null;

        public override string? Location => connection._head.Location;

        public override string? ContentEncoding => connection._head.ContentEncoding;

        public override TimeSpan ConnectTime => connection._reused ? TimeSpan.Zero : connection.OpenTime;

        public override Stream Body => connection._body;

        public override ValueTask DisposeAsync() => connection.ReleaseAsync();
    }

    private sealed class BodyStream(Http1Connection connection) : Stream, IReceiveTimestamped
    {
        public long LastArrival => connection.LastArrival;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            connection.ReadBodyAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            connection.ReadBodyAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) =>
            connection.ReadBodyAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        // The connection, not its stream, decides what happens after the body: it is released with the response.
        protected override void Dispose(bool disposing)
        {
        }

        public override ValueTask DisposeAsync() => default;
    }
}
