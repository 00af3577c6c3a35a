using System.Net;
using System.Net.Sockets;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>Free ports on 127.0.0.1, for servers the tests start and for addresses where nothing listens.</summary>
public static class LoopbackPorts
{
    // Below Linux's ephemeral range (32768-60999), so neither the tests' own outgoing connections nor another server's
    // port-0 bind can take a port between the moment it is handed out and the moment a child process (Azurite, a TSDB)
    // binds it; handed out in turn, so two servers started at once never get the same one.
    private const int First = 20_000;
    private const int Count = 12_000;
    private static int s_next = Random.Shared.Next(Count);

    /// <summary>A port that was free a moment ago (nothing listens on it now), never handed out before by this process.</summary>
    public static int Free()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref s_next) % Count);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: the next one.
            }
        }

        throw new InvalidOperationException($"no free port on 127.0.0.1 between {First} and {First + Count}");
    }
}
