using System.Runtime.InteropServices;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>
/// CPU used by this process's finished children (getrusage RUSAGE_CHILDREN): the difference around running a tool is
/// what the tool used, read after it exited, when .NET can no longer tell. Linux only; zero elsewhere.
/// </summary>
internal static partial class ChildCpu
{
    private const int Children = -1;

    public static TimeSpan Total()
    {
        if (!OperatingSystem.IsLinux() || GetResourceUsage(Children, out var usage) != 0)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromMicroseconds((usage.UserSeconds + usage.SystemSeconds) * 1_000_000.0 + usage.UserMicros + usage.SystemMicros);
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetResourceUsage(int who, out ResourceUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public long UserSeconds;
        public long UserMicros;
        public long SystemSeconds;
        public long SystemMicros;

        // The rest of struct rusage (14 longs), unread.
        public long R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, R12, R13;
    }
}
