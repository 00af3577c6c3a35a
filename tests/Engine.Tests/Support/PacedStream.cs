using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// A read-only SSE body whose events arrive one per read, each <c>gap</c> after the one before on a fake clock: event k
/// (from 0) is stamped k + 1 gaps after the request was sent, so timings are exact without any real waiting.
/// </summary>
public sealed class PacedStream : Stream
{
    private readonly List<byte[]> _events = [];
    private readonly TimeSpan _gap;
    private readonly FakeTimeProvider _time;
    private int _event;
    private int _offset;

    public PacedStream(byte[] data, TimeSpan gap, FakeTimeProvider time)
    {
        _gap = gap;
        _time = time;
        var start = 0;
        for (var i = 0; i + 1 < data.Length; i++)
        {
            if (data[i] == '\n' && data[i + 1] == '\n')
            {
                _events.Add(data[start..(i + 2)]);
                start = i + 2;
                i++;
            }
        }

        if (start < data.Length)
        {
            _events.Add(data[start..]);
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_event >= _events.Count)
        {
            return 0;
        }

        if (_offset == 0)
        {
            _time.Advance(_gap);
        }

        var current = _events[_event];
        var n = Math.Min(buffer.Length, current.Length - _offset);
        current.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        if (_offset == current.Length)
        {
            _event++;
            _offset = 0;
        }

        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
