using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// A server program from Debian's packages (nginx, HAProxy, tinyproxy, uvicorn; scripts/test.sh installs them) running
/// in the foreground on a free loopback port with a config the test wrote into its own directory; killed, and the
/// directory removed, on dispose.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Port = port;
    }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Its own directory: config, logs, certificates.</summary>
    public string Directory { get; }

    /// <summary>What it printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>A new directory for a server's files.</summary>
    public static string NewDirectory(string name) => System.IO.Directory.CreateTempSubdirectory($"guidellm-{name}-").FullName;

    /// <summary>The first of <paramref name="candidates"/> that exists, or an error saying how to get it.</summary>
    public static string Binary(string package, params string[] candidates) =>
        candidates.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException($"{candidates[0]} is missing: run scripts/test.sh (it installs Debian's {package} package)");

    /// <summary>Starts <paramref name="binary"/> and returns once 127.0.0.1:<paramref name="port"/> accepts connections.</summary>
    public static async Task<ServerProcess> StartAsync(string binary, IEnumerable<string> args, string directory, int port)
    {
        var info = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = directory };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var server = new ServerProcess(Process.Start(info)!, directory, port);
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !server._process.HasExited)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        var output = server.Output;
        await server.DisposeAsync();
        throw new InvalidOperationException($"{Path.GetFileName(binary)} did not listen on 127.0.0.1:{port}: {output}");
    }

    /// <summary>The text of a file it wrote (a log), or empty while there is none.</summary>
    public string Read(string file)
    {
        var path = Path.Combine(Directory, file);
        if (!File.Exists(path))
        {
            return string.Empty;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Gone already, or not stopping: its directory goes anyway.
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temp directory is cleaned by the system.
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
