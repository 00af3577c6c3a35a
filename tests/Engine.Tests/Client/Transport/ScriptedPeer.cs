using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Client.Transport;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

/// <summary>
/// The server side of one <see cref="Http1Connection"/>, as a stream the connection talks through: every read returns
/// the next piece the test queued (so a response can be cut anywhere), the end of the queue is the server's close, and
/// what the connection writes is kept. The connection's socket is never connected: only its stream is used.
/// </summary>
internal sealed class ScriptedPeer : Stream
{
    private readonly Channel<byte[]> _pieces = Channel.CreateUnbounded<byte[]>();
    private readonly MemoryStream _written = new();
    private byte[] _current = [];
    private int _offset;

    private ScriptedPeer(TimeProvider? time)
    {
        var clock = time ?? TimeProvider.System;
        Pool = new Http1Pool(clock, TimeSpan.FromSeconds(90), TimeSpan.FromMinutes(5), TimeSpan.FromHours(1));
        Socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        Connection = new Http1Connection(Socket, Pool, clock.GetTimestamp(), socketStream: new StampedSocketStream(Socket), tls: this);
        Endpoint = new Http1Endpoint(Uri, Pool);
    }

    public static Uri Uri { get; } = new("http://127.0.0.1:8000/v1/chat/completions");

    public Http1Connection Connection { get; }

    public Http1Pool Pool { get; }

    public Http1Endpoint Endpoint { get; }

    public Socket Socket { get; }

    /// <summary>What the connection sent, as text.</summary>
    public string Written => Encoding.UTF8.GetString(_written.ToArray());

    /// <summary>Reads made by the connection.</summary>
    public int Reads { get; private set; }

    public bool Disposed { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>A peer that answers with <paramref name="response"/> cut into pieces of <paramref name="sizes"/> bytes (cycled), then closes.</summary>
    public static ScriptedPeer Answering(byte[] response, IReadOnlyList<int>? sizes = null, TimeProvider? time = null)
    {
        var peer = new ScriptedPeer(time);
        sizes ??= [response.Length];
        for (int at = 0, i = 0; at < response.Length; i++)
        {
            var n = Math.Clamp(sizes[i % sizes.Count], 1, response.Length - at);
            peer.Send(response.AsSpan(at, n).ToArray());
            at += n;
        }

        peer.Close();
        return peer;
    }

    /// <summary>A peer whose pieces the test sends as it goes.</summary>
    public static ScriptedPeer Live(TimeProvider? time = null) => new(time);

    public static ScriptedPeer Answering(string response, IReadOnlyList<int>? sizes = null) => Answering(Encoding.Latin1.GetBytes(response), sizes);

    public void Send(byte[] piece) => _pieces.Writer.TryWrite(piece);

    public void Send(string piece) => Send(Encoding.Latin1.GetBytes(piece));

    /// <summary>The server closes: reads after the queued pieces return 0.</summary>
    public new void Close() => _pieces.Writer.TryComplete();

    public Task<TargetResponse> SendAsync(CancellationToken token = default, bool reused = false) =>
        Connection.SendAsync(new CompletionRequest(Uri, "{}"u8.ToArray(), "r-1"), Endpoint, post: true, reused, token).AsTask();

    /// <summary>Sends a request and reads its body to the end as text.</summary>
    public async Task<(int Status, string Body)> ExchangeAsync(CancellationToken token = default)
    {
        var response = await SendAsync(token);
        await using (response)
        {
            using var body = new MemoryStream();
            await response.Body.CopyToAsync(body, token);
            return (response.StatusCode, Encoding.Latin1.GetString(body.ToArray()));
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Reads++;
        if (_offset == _current.Length)
        {
            try
            {
                _current = await _pieces.Reader.ReadAsync(cancellationToken);
                _offset = 0;
            }
            catch (ChannelClosedException)
            {
                return Disposed ? throw new IOException("the connection was aborted") : 0;
            }
        }

        var n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _written.Write(buffer.Span);
        return default;
    }

    public override void Write(byte[] buffer, int offset, int count) => _written.Write(buffer, offset, count);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    // The connection's abort disposes its TLS stream: a pending read then ends as a closed socket's would.
    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        _pieces.Writer.TryComplete();
        base.Dispose(disposing);
    }
}
