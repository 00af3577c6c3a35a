using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>Another load generator (wrk, hey, locust) run on the same machine against the same simulator.</summary>
internal static partial class ExternalTool
{
    public static bool Installed(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(dir => File.Exists(Path.Combine(dir, name)));

    /// <summary>Runs the tool; returns its requests per second, parsed from its output, and the CPU it used.</summary>
    public static async Task<(double RequestsPerSecond, string Output, TimeSpan Cpu)> RunAsync(string file, IEnumerable<string> args, Regex rate)
    {
        var cpuBefore = ChildCpu.Total();
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        var output = await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
        var match = rate.Match(output);
        return (match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN, output, ChildCpu.Total() - cpuBefore);
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    public static partial Regex RequestsPerSecond();
}
