using System.Buffers;
using System.Runtime.CompilerServices;
using GuidellmFunctions.Engine.Client.Transport;

namespace GuidellmFunctions.Engine.Client;

/// <summary>
/// Reads Server-Sent Events from a byte stream per the WHATWG grammar: <c>\n</c>, <c>\r\n</c> and <c>\r</c> line ends
/// (also split across reads), <c>:</c> comments, multi-line <c>data</c>, and a trailing event at end of stream. Works on
/// bytes in pooled buffers, so an event split anywhere, even inside a UTF-8 character, is reassembled before it is
/// decoded, and nothing is allocated per event.
/// </summary>
internal sealed class SseReader : IDisposable
{
    // vLLM's chunks are a few hundred bytes: 4 KiB holds many per read, and the buffers grow for longer events.
    private const int InitialBufferSize = 4 * 1024;

    // A burst holds two per open stream, thousands at a time: ArrayPool.Shared caches a few dozen per size, so the rest
    // would be allocated per request and die middle-aged, the costliest garbage; the pinned pool keeps thousands, out of
    // the young generations' way.
    private static readonly ArrayPool<byte> Buffers = PinnedBufferPool.Streams;

    private readonly Stream _stream;
    private readonly TimeProvider _time;
    private readonly IReceiveTimestamped? _arrivals;
    private readonly int _maxEventBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private byte[] _data;
    private int _dataLength;
    private bool _hasData;
    private bool _skipLeadingLf;
    private bool _eof;

    /// <summary>Creates a reader over <paramref name="stream"/>; events or lines longer than <paramref name="maxEventBytes"/> are refused.</summary>
    public SseReader(Stream stream, TimeProvider time, int maxEventBytes = 16 * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventBytes, 16);
        _stream = stream;
        _time = time;

        // Arrival times are on the system's monotonic clock; another clock (a test's) stamps reads as they return.
        _arrivals = ReferenceEquals(time, TimeProvider.System) ? stream as IReceiveTimestamped : null;
        _maxEventBytes = maxEventBytes;
        _buffer = Buffers.Rent(Math.Min(InitialBufferSize, maxEventBytes + 2));
        _data = Buffers.Rent(Math.Min(InitialBufferSize, maxEventBytes));
    }

    /// <summary>The data of the last dispatched event (its <c>data:</c> lines joined by <c>\n</c>). Valid until the next read.</summary>
    public ReadOnlySpan<byte> Data => _data.AsSpan(0, _dataLength);

    /// <summary>The last dispatched event was named <c>error</c> (<c>event: error</c>).</summary>
    public bool IsErrorEvent { get; private set; }

    /// <summary>
    /// When the bytes that completed the last event arrived: the kernel's receive time when the stream knows it (the
    /// runner's HTTP/1.1 client on Linux), else the <see cref="TimeProvider.GetTimestamp"/> at which the read returned.
    /// </summary>
    public long Timestamp { get; private set; }

    /// <summary>Reads until the next event, the end of the stream, or a size violation.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<SseReadResult> ReadAsync(CancellationToken cancellationToken)
    {
        var pendingErrorEvent = false;
        _dataLength = 0;
        _hasData = false;
        while (true)
        {
            while (TryTakeLine(out var lineStart, out var lineLength))
            {
                if (lineLength == 0)
                {
                    if (_hasData)
                    {
                        IsErrorEvent = pendingErrorEvent;
                        return SseReadResult.Event;
                    }

                    pendingErrorEvent = false;
                    continue;
                }

                if (!ProcessLine(lineStart, lineLength, ref pendingErrorEvent))
                {
                    return SseReadResult.TooLarge;
                }
            }

            if (_eof)
            {
                if (_end > _start)
                {
                    // A last line without a line end still counts.
                    var (s, l) = (_start, _end - _start);
                    _start = _end;
                    if (!ProcessLine(s, l, ref pendingErrorEvent))
                    {
                        return SseReadResult.TooLarge;
                    }
                }

                if (_hasData)
                {
                    _hasData = false;
                    IsErrorEvent = pendingErrorEvent;
                    return SseReadResult.Event;
                }

                return SseReadResult.EndOfStream;
            }

            if (_end - _start > _maxEventBytes)
            {
                return SseReadResult.TooLarge;
            }

            MakeRoom();
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            Timestamp = ArrivalOf(read);
            if (read == 0)
            {
                _eof = true;
            }
            else
            {
                _end += read;
            }
        }
    }

    private long ArrivalOf(int read)
    {
        var now = _time.GetTimestamp();
        return read > 0 && _arrivals?.LastArrival is > 0 and var arrival && arrival < now ? arrival : now;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Buffers.Return(_buffer);
        Buffers.Return(_data);
        _buffer = [];
        _data = [];
    }

    private bool TryTakeLine(out int lineStart, out int lineLength)
    {
        if (_skipLeadingLf && _start < _end)
        {
            _skipLeadingLf = false;
            if (_buffer[_start] == (byte)'\n')
            {
                _start++;
            }
        }

        var span = _buffer.AsSpan(_start, _end - _start);
        var index = span.IndexOfAny((byte)'\r', (byte)'\n');
        if (index < 0)
        {
            lineStart = lineLength = 0;
            return false;
        }

        lineStart = _start;
        lineLength = index;
        var consumed = index + 1;
        if (span[index] == (byte)'\r')
        {
            if (index + 1 < span.Length)
            {
                consumed += span[index + 1] == (byte)'\n' ? 1 : 0;
            }
            else
            {
                _skipLeadingLf = true;
            }
        }

        _start += consumed;
        return true;
    }

    private bool ProcessLine(int start, int length, ref bool errorEvent)
    {
        var line = _buffer.AsSpan(start, length);
        if (line[0] == (byte)':')
        {
            return true;
        }

        var colon = line.IndexOf((byte)':');
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (value.Length > 0 && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (field.SequenceEqual("data"u8))
        {
            var needed = _dataLength + (_hasData ? 1 : 0) + value.Length;
            if (needed > _maxEventBytes)
            {
                return false;
            }

            EnsureDataCapacity(needed);
            if (_hasData)
            {
                _data[_dataLength++] = (byte)'\n';
            }

            value.CopyTo(_data.AsSpan(_dataLength));
            _dataLength += value.Length;
            _hasData = true;
        }
        else if (field.SequenceEqual("event"u8))
        {
            errorEvent = value.SequenceEqual("error"u8);
        }

        return true;
    }

    private void MakeRoom()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            var bigger = Buffers.Rent(Math.Min(_buffer.Length * 2, _maxEventBytes + 2));
            if (bigger.Length <= _buffer.Length)
            {
                Buffers.Return(bigger);
                bigger = Buffers.Rent(_buffer.Length + 1);
            }

            _buffer.AsSpan(0, _end).CopyTo(bigger);
            Buffers.Return(_buffer);
            _buffer = bigger;
        }
    }

    private void EnsureDataCapacity(int needed)
    {
        if (needed <= _data.Length)
        {
            return;
        }

        var bigger = Buffers.Rent(Math.Max(needed, _data.Length * 2));
        _data.AsSpan(0, _dataLength).CopyTo(bigger);
        Buffers.Return(_data);
        _data = bigger;
    }
}
