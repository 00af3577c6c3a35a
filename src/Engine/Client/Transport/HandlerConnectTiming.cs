using System.Diagnostics;
using System.Net.Sockets;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// Times the connections .NET's <see cref="SocketsHttpHandler"/> opens, for the request that made it open one: from the
/// start of the TCP connect (its <see cref="SocketsHttpHandler.ConnectCallback"/>, which connects as the handler's own
/// does) to the moment the connection is ready for HTTP, a proxy's tunnel and the TLS handshake included (its
/// <see cref="SocketsHttpHandler.PlaintextStreamFilter"/>, which only notes the time).
/// </summary>
internal sealed class HandlerConnectTiming
{
    private static readonly HttpRequestOptionsKey<HandlerConnectTiming> Key = new("guidellm.connect-timing");

    private long _started;
    private long _ready;

    /// <summary>How long the connection the request opened took to be ready; zero when it opened none (yet).</summary>
    public TimeSpan Elapsed
    {
        get
        {
            var started = Volatile.Read(ref _started);
            var ready = Volatile.Read(ref _ready);
            return started != 0 && ready != 0 ? Stopwatch.GetElapsedTime(started, ready) : TimeSpan.Zero;
        }
    }

    /// <summary>Times the connection <paramref name="message"/> makes the handler open, if it makes it open one.</summary>
    public static HandlerConnectTiming Attach(HttpRequestMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var timing = new HandlerConnectTiming();
        message.Options.Set(Key, timing);
        return timing;
    }

    /// <summary>Makes <paramref name="handler"/> time the connections it opens for requests with a timing attached.</summary>
    public static void Install(SocketsHttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        handler.ConnectCallback = ConnectAsync;
        handler.PlaintextStreamFilter = Ready;
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        if (context.InitialRequestMessage.Options.TryGetValue(Key, out var timing))
        {
            Volatile.Write(ref timing._started, Stopwatch.GetTimestamp());
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static ValueTask<Stream> Ready(SocketsHttpPlaintextStreamFilterContext context, CancellationToken cancellationToken)
    {
        if (context.InitialRequestMessage.Options.TryGetValue(Key, out var timing))
        {
            Volatile.Write(ref timing._ready, Stopwatch.GetTimestamp());
        }

        return ValueTask.FromResult(context.PlaintextStream);
    }
}
