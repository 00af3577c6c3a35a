using System.Net;
using System.Net.Sockets;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>Free ports on 127.0.0.1, for servers the tests start and for addresses where nothing listens.</summary>
public static class LoopbackPorts
{
    /// <summary>A port that was free a moment ago (nothing listens on it now).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
