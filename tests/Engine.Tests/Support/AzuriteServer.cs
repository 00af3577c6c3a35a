using System.Diagnostics;
using System.Net.Sockets;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// Azurite's blob service (npm, installed by scripts/test.sh under .tools/azurite) on a free loopback port with its
/// own data directory; killed and removed on dispose.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    // Azurite's documented, public development account key: not a secret.
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly string _dir;

    private AzuriteServer(Process process, string dir, int port, int queuePort)
    {
        _process = process;
        _dir = dir;
        Port = port;
        QueuePort = queuePort;
    }

    public int Port { get; }

    public int QueuePort { get; }

    public string ConnectionString => BlobConnectionString(Port)
        + (QueuePort > 0 ? $"QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" : string.Empty);

    /// <summary>The blob connection string for an Azurite on <paramref name="port"/>, running or not.</summary>
    public static string BlobConnectionString(int port) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";

    /// <summary>
    /// Starts the blob service, and the queue service too when <paramref name="queue"/> is set. An Azurite that exits
    /// before it listens (a port taken meanwhile) is started again on other ports, up to three times.
    /// </summary>
    public static async Task<AzuriteServer> StartAsync(int port = 0, bool queue = false)
    {
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        for (var attempt = 1; ; attempt++)
        {
            var (server, exited) = await TryStartAsync(port == 0 ? LoopbackPorts.Free() : port, queue, output);
            if (server is not null)
            {
                return server;
            }

            if (!exited || port != 0 || attempt == 3)
            {
                throw new InvalidOperationException($"azurite did not start ({(exited ? "it exited" : "not listening after 30 s")}): {string.Join(" | ", output.TakeLast(5))}");
            }
        }
    }

    private static async Task<(AzuriteServer? Server, bool Exited)> TryStartAsync(int port, bool queue, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        var binary = FindBinary(queue ? "azurite" : "azurite-blob");
        var dir = Directory.CreateTempSubdirectory("guidellm-azurite-").FullName;
        var queuePort = queue ? LoopbackPorts.Free() : 0;
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        string P(int p) => p.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] args = queue
            ? ["--blobHost", "127.0.0.1", "--blobPort", P(port), "--queueHost", "127.0.0.1", "--queuePort", P(queuePort), "--tableHost", "127.0.0.1", "--tablePort", P(LoopbackPorts.Free())]
            : ["--blobHost", "127.0.0.1", "--blobPort", P(port)];
        foreach (var arg in (string[])[.. args, "--location", dir, "--skipApiVersionCheck", "--loose", "--silent"])
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new AzuriteServer(process, dir, port, queuePort);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return (server, false);
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        var exited = process.HasExited;
        await server.DisposeAsync();
        return (null, exited);
    }

    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> output, string? line)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            output.Enqueue(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static string FindBinary(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".tools", "azurite", "node_modules", ".bin", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("azurite is not installed: run scripts/test.sh (it installs npm azurite under .tools/azurite)");
    }
}
