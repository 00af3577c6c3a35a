using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>
/// Locust (Debian's python3-locust) with FastHttpUser, its fastest client, posting the same body in a closed loop from
/// a fixed number of users: in one process, or as a master with one worker process per core, as Locust's docs advise
/// to use more than one core.
/// </summary>
internal static class Locust
{
    private const string LocustFile = """
        import locust.runners
        from locust import task, constant
        from locust.contrib.fasthttp import FastHttpUser

        # Debian's package carries no version metadata: its workers announce an empty version, which the master refuses
        # as a pre-2.0 worker.
        if not locust.runners.__version__:
            locust.runners.__version__ = "2"

        with open("body.json", "rb") as f:
            BODY = f.read()

        class Post(FastHttpUser):
            wait_time = constant(0)

            @task
            def post(self):
                self.client.post(PATH, data=BODY, headers={"Content-Type": "application/json"})
        """;

    public static bool Installed => ExternalTool.Installed("locust");

    /// <summary>Writes the locustfile and body into <paramref name="dir"/>.</summary>
    public static async Task PrepareAsync(string dir, Uri endpoint, byte[] body)
    {
        await File.WriteAllBytesAsync(Path.Combine(dir, "body.json"), body).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(dir, "locustfile.py"), LocustFile.Replace("PATH", $"\"{endpoint.AbsolutePath}\"", StringComparison.Ordinal)).ConfigureAwait(false);
    }

    /// <summary>Runs a headless test; returns Locust's own requests per second and failure count, and the CPU all its processes used.</summary>
    public static async Task<(double RequestsPerSecond, long Failures, TimeSpan Cpu)> RunAsync(string dir, Uri endpoint, int users, int seconds, int workers)
    {
        var host = endpoint.GetLeftPart(UriPartial.Authority);
        var csv = Path.Combine(dir, $"locust-{workers}");
        string[] test = ["--headless", "-u", Invariant(users), "-r", Invariant(users), "-t", $"{seconds}s", "--host", host, "--only-summary", "--csv", csv];
        var cpuBefore = ChildCpu.Total();
        var processes = new List<Process>();
        try
        {
            if (workers <= 1)
            {
                processes.Add(Start(dir, test));
            }
            else
            {
                var port = FreePort();
                processes.Add(Start(dir, ["--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", Invariant(port), "--expect-workers", Invariant(workers), .. test]));
                for (var w = 0; w < workers; w++)
                {
                    processes.Add(Start(dir, ["--worker", "--master-host", "127.0.0.1", "--master-port", Invariant(port)]));
                }
            }

            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 60));
            await Task.WhenAll(processes.Select(p => p.WaitForExitAsync(limit.Token))).ConfigureAwait(false);
            var aggregated = (await File.ReadAllLinesAsync(csv + "_stats.csv").ConfigureAwait(false)).Single(l => l.Contains(",Aggregated,", StringComparison.Ordinal)).Split(',');
            return (double.Parse(aggregated[9], CultureInfo.InvariantCulture), long.Parse(aggregated[3], CultureInfo.InvariantCulture), ChildCpu.Total() - cpuBefore);
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }
        }
    }

    private static Process Start(string dir, string[] args)
    {
        var info = new ProcessStartInfo("locust") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-f", "locustfile.py", .. args])
        {
            info.ArgumentList.Add(arg);
        }

        // Its logs are read and dropped, so a full pipe never stalls it; the figures come from its CSV.
        var process = Process.Start(info)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
