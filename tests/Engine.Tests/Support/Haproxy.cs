using System.Security.Cryptography.X509Certificates;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>HAProxy from Debian on a free loopback port, terminating TLS in front of one server.</summary>
public static class Haproxy
{
    /// <summary>
    /// Starts HAProxy in HTTP mode with a TLS frontend presenting <paramref name="certificate"/> (HTTP/1.1 by ALPN) and
    /// <paramref name="defaults"/> added to its <c>defaults</c> section, passing requests to <paramref name="upstream"/>.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(Uri upstream, X509Certificate2 certificate, string defaults = "")
    {
        var binary = ServerProcess.Binary("haproxy", "/usr/sbin/haproxy");
        var dir = ServerProcess.NewDirectory("haproxy");
        var port = LoopbackPorts.Free();
        var (_, _, both) = PemFiles.Write(certificate, dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "haproxy.cfg"), $"""
            global
              maxconn 1000
            defaults
              mode http
              timeout connect 5s
              timeout client 30s
              timeout server 30s
              {defaults}
            frontend front
              bind 127.0.0.1:{port} ssl crt {both} alpn http/1.1
              default_backend back
            backend back
              server upstream {upstream.Host}:{upstream.Port}

            """);
        return await ServerProcess.StartAsync(binary, ["-db", "-f", Path.Combine(dir, "haproxy.cfg")], dir, port);
    }
}
