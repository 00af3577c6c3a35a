using System.Diagnostics;
using System.Text.Json;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>Runs this program with a probe verb in a fresh process, for figures (a peak working set) that must not carry the suite's own.</summary>
internal static class ProbeProcess
{
    /// <summary>Runs <paramref name="args"/> to its end and returns the JSON object of its last output line.</summary>
    public static async Task<JsonDocument> RunAsync(params string[] args)
    {
        var info = Self.StartInfo(args);
        info.RedirectStandardOutput = true;
        using var probe = Process.Start(info)!;
        var output = await probe.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await probe.WaitForExitAsync().ConfigureAwait(false);
        return JsonDocument.Parse(output.Trim().Split('\n')[^1]);
    }
}
