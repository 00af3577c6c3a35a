namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>tinyproxy from Debian on a free loopback port: a forward proxy that logs every request it takes.</summary>
public static class Tinyproxy
{
    /// <summary>The log file, one line per request (<c>Request (file descriptor N): CONNECT host:port HTTP/1.1</c>).</summary>
    public const string Log = "tinyproxy.log";

    /// <summary>Starts tinyproxy, asking for Basic credentials when <paramref name="credentials"/> are given.</summary>
    public static async Task<ServerProcess> StartAsync((string User, string Password)? credentials = null)
    {
        var binary = ServerProcess.Binary("tinyproxy", "/usr/bin/tinyproxy", "/usr/sbin/tinyproxy");
        var dir = ServerProcess.NewDirectory("tinyproxy");
        var port = LoopbackPorts.Free();
        var auth = credentials is { } c ? $"BasicAuth {c.User} {c.Password}" : string.Empty;
        await File.WriteAllTextAsync(Path.Combine(dir, "tinyproxy.conf"), $"""
            Port {port}
            Listen 127.0.0.1
            Timeout 60
            LogFile "{Path.Combine(dir, Log)}"
            LogLevel Connect
            MaxClients 200
            Allow 127.0.0.1
            DisableViaHeader Yes
            {auth}
            """);
        return await ServerProcess.StartAsync(binary, ["-d", "-c", Path.Combine(dir, "tinyproxy.conf")], dir, port);
    }

    /// <summary>The request lines in its log (<c>POST http://127.0.0.1:8000/v1/chat/completions HTTP/1.1</c>, <c>CONNECT 127.0.0.1:8443 HTTP/1.1</c>).</summary>
    public static IReadOnlyList<string> Requests(ServerProcess proxy) =>
        [.. proxy.Read(Log).Split('\n').Select(l => l.IndexOf("): ", StringComparison.Ordinal) is var at and >= 0 && l.Contains("Request (file descriptor", StringComparison.Ordinal) ? l[(at + 3)..].Trim() : null).OfType<string>()];
}
