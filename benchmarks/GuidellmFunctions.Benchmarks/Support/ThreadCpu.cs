using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>
/// CPU used by the calling thread (clock_gettime CLOCK_THREAD_CPUTIME_ID, to the nanosecond), for work measured once
/// where the process's CPU, in 10 ms steps on Linux, is too coarse. The process's CPU elsewhere.
/// </summary>
internal static partial class ThreadCpu
{
    private const int ThreadCpuClock = 3;

    public static TimeSpan Now()
    {
        if (OperatingSystem.IsLinux() && GetTime(ThreadCpuClock, out var time) == 0)
        {
            return TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100));
        }

        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int GetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
