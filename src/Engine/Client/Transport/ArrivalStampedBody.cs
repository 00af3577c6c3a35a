namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// A response body read through .NET's HttpClient that knows when its bytes arrived: while a read is being started on
/// this thread, <see cref="Reading"/> names it, and the connection's <see cref="StampedSocketStream"/> (whose read
/// HttpClient starts in that same call when its buffer is empty) writes the kernel's receive time into it. Bytes served
/// from HttpClient's or TLS's buffers keep the arrival of the socket read that brought them.
/// </summary>
internal sealed class ArrivalStampedBody(Stream inner) : Stream, IReceiveTimestamped
{
    [ThreadStatic]
    private static ArrivalStampedBody? t_reading;

    /// <summary>The body whose read is being started on this thread, or null.</summary>
    public static ArrivalStampedBody? Reading => t_reading;

    /// <inheritdoc />
    public long LastArrival { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        t_reading = this;
        try
        {
            return inner.ReadAsync(buffer, cancellationToken);
        }
        finally
        {
            t_reading = null;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
