using System.Net.Sockets;

namespace GuidellmFunctions.Engine.Client;

/// <summary>Which socket errors mean a host name could not be resolved (reported as "DNS failure").</summary>
internal static class NameResolution
{
    public static bool Failed(SocketError error) => error is SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData;
}
