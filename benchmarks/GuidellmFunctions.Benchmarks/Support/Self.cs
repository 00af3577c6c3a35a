using System.Diagnostics;
using System.Reflection;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>Starts this program again with another verb, for work that needs a process of its own.</summary>
internal static class Self
{
    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var host = Environment.ProcessPath!;
        var info = new ProcessStartInfo(host) { UseShellExecute = false };
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
