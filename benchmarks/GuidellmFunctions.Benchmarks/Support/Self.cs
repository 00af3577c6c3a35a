using System.Diagnostics;
using System.Reflection;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>Starts this program again with another verb, for work that needs a process of its own.</summary>
internal static class Self
{
    public static ProcessStartInfo StartInfo(params string[] args) => StartInfo(null, args);

    /// <summary>Starts this program with <paramref name="args"/>, on core <paramref name="cpu"/> only when given.</summary>
    public static ProcessStartInfo StartInfo(int? cpu, params string[] args)
    {
        var host = Environment.ProcessPath!;
        var info = new ProcessStartInfo(cpu is null ? host : "taskset") { UseShellExecute = false };
        if (cpu is { } core)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(core.ToString(System.Globalization.CultureInfo.InvariantCulture));
            info.ArgumentList.Add(host);
        }

        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }
}
