using System.Diagnostics;
using System.Globalization;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>
/// Pins every thread of this process to one core (taskset), and back to all of them when disposed: with the simulator on
/// the other core, the two processes stop taking each other's CPU, as a runner and a model server on different machines.
/// </summary>
internal sealed class CorePinning : IDisposable
{
    private CorePinning()
    {
    }

    /// <summary>True on Linux machines with two cores or more and <c>taskset</c>.</summary>
    public static bool Available => OperatingSystem.IsLinux() && Environment.ProcessorCount >= 2 && ExternalTool.Installed("taskset");

    /// <summary>Pins this process to <paramref name="cpu"/>.</summary>
    public static CorePinning Pin(int cpu)
    {
        Run(cpu.ToString(CultureInfo.InvariantCulture));
        return new CorePinning();
    }

    public void Dispose() => Run($"0-{Environment.ProcessorCount - 1}");

    private static void Run(string cpus)
    {
        using var process = Process.Start(new ProcessStartInfo("taskset", ["-a", "-p", "-c", cpus, Environment.ProcessId.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true })!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"taskset -a -p -c {cpus} failed with exit code {process.ExitCode}");
        }
    }
}
