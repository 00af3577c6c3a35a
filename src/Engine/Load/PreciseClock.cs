using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Sleeps a thread until a <see cref="Stopwatch"/> timestamp with the kernel's high-resolution timers
/// (<c>clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)</c>, tens of microseconds late) instead of .NET timers, which
/// round to milliseconds and resume on the thread pool. Linux only, where Stopwatch reads the same monotonic clock.
/// </summary>
internal static partial class PreciseClock
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsolute = 1;
    private const long NanosPerSecond = 1_000_000_000;

    // Sleep in slices so a stage's end or cancellation is seen within this time.
    private static readonly long Slice = Stopwatch.Frequency / 50;

    /// <summary>True when <see cref="SleepUntil"/> can be used on this machine.</summary>
    public static bool Available { get; } = Probe();

    /// <summary>Sleeps until <paramref name="timestamp"/> (a <see cref="Stopwatch.GetTimestamp"/> value) or cancellation.</summary>
    /// <returns>False when <paramref name="token"/> was cancelled first.</returns>
    public static bool SleepUntil(long timestamp, CancellationToken token)
    {
        while (true)
        {
            if (token.IsCancellationRequested)
            {
                return false;
            }

            var now = Stopwatch.GetTimestamp();
            if (now >= timestamp)
            {
                return true;
            }

            var until = Math.Min(timestamp, now + Slice);
            var spec = new TimeSpec { Seconds = until / NanosPerSecond, Nanoseconds = until % NanosPerSecond };

            // EINTR (a signal) returns early: the loop sleeps again for what is left.
            _ = ClockNanosleep(ClockMonotonic, TimerAbsolute, ref spec, IntPtr.Zero);
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || Stopwatch.Frequency != NanosPerSecond)
        {
            return false;
        }

        try
        {
            var target = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10_000;
            var spec = new TimeSpec { Seconds = target / NanosPerSecond, Nanoseconds = target % NanosPerSecond };
            var woke = ClockNanosleep(ClockMonotonic, TimerAbsolute, ref spec, IntPtr.Zero) == 0 ? Stopwatch.GetTimestamp() : 0;

            // Both must read CLOCK_MONOTONIC: waking at the target, not a millisecond past or before it.
            return woke >= target && woke - target < Stopwatch.Frequency / 1000;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, ref TimeSpec request, IntPtr remaining);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
