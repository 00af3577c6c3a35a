using System.Buffers;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// Cuts a stream into records without loading it: JSON lines, or CSV rows (a newline inside a quoted field does not end
/// one). Reads in a pooled buffer that grows to the longest record, up to a limit past which a record is skipped and
/// reported. Blank lines are skipped; a UTF-8 byte order mark at the start is dropped.
/// </summary>
internal sealed class RecordScanner : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _csv;
    private readonly int _maxRecordBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _scan;
    private bool _inQuotes;
    private int _newlines;
    private bool _skipping;
    private bool _eof;
    private long _offset;
    private long _line;

    /// <summary>Scans <paramref name="stream"/>, which is at byte <paramref name="offset"/> and line <paramref name="line"/> of the file.</summary>
    public RecordScanner(Stream stream, bool csv, long offset = 0, long line = 1, int maxRecordBytes = 64 << 20)
    {
        _stream = stream;
        _csv = csv;
        _maxRecordBytes = maxRecordBytes;
        _offset = offset;
        _line = line;
        _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    }

    /// <summary>Reads the next record; false at the end of the stream. Its bytes are valid until the next call.</summary>
    public bool Next(out ScannedRecord record)
    {
        while (true)
        {
            if (FindEnd(out var end))
            {
                var length = end - _start;
                var bytes = _skipping ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(_start, length > 0 && _buffer[end - 1] == (byte)'\r' ? length - 1 : length);
                record = new ScannedRecord(_line, _offset, bytes, TooLong: _skipping);
                Advance(end + 1);
                if (record.TooLong || !IsBlank(record.Bytes.Span))
                {
                    return true;
                }

                continue;
            }

            if (_eof)
            {
                if (_end > _start || _skipping)
                {
                    record = new ScannedRecord(_line, _offset, _skipping ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(_start, _end - _start), TooLong: _skipping);
                    Advance(_end);
                    if (record.TooLong || !IsBlank(record.Bytes.Span))
                    {
                        return true;
                    }
                }

                record = default;
                return false;
            }

            if (_end - _start >= _maxRecordBytes)
            {
                // Keep scanning for the record's end, but not its bytes.
                _skipping = true;
                _offset += _end - _start;
                (_start, _end, _scan) = (0, 0, 0);
            }

            Fill();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes) => bytes.Trim(" \t\r"u8).IsEmpty;

    private bool FindEnd(out int end)
    {
        if (!_csv)
        {
            var at = _buffer.AsSpan(_scan, _end - _scan).IndexOf((byte)'\n');
            end = at < 0 ? -1 : _scan + at;
            _scan = at < 0 ? _end : end;
            return at >= 0;
        }

        for (var i = _scan; i < _end; i++)
        {
            var b = _buffer[i];
            if (b == (byte)'"')
            {
                // RFC 4180: a doubled quote inside a quoted field toggles twice and leaves the state as it was.
                _inQuotes = !_inQuotes;
            }
            else if (b == (byte)'\n')
            {
                if (!_inQuotes)
                {
                    end = i;
                    _scan = i;
                    return true;
                }

                _newlines++;
            }
        }

        _scan = _end;
        end = -1;
        return false;
    }

    private void Advance(int next)
    {
        _offset += next - _start;
        _line += 1 + _newlines;
        _start = next;
        _scan = next;
        _newlines = 0;
        _inQuotes = false;
        _skipping = false;
    }

    private void Fill()
    {
        if (_start > 0 && _start == _end)
        {
            (_start, _end, _scan) = (0, 0, 0);
        }

        if (_end == _buffer.Length)
        {
            var kept = _end - _start;
            var target = kept * 2 > _buffer.Length ? ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, _maxRecordBytes + (64 * 1024))) : _buffer;
            _buffer.AsSpan(_start, kept).CopyTo(target);
            if (!ReferenceEquals(target, _buffer))
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = target;
            }

            _scan -= _start;
            (_start, _end) = (0, kept);
        }

        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
            return;
        }

        if (_offset == 0 && _end == 0 && read >= 3 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
        {
            (_start, _scan, _offset) = (3, 3, 3);
        }

        _end += read;
    }
}
