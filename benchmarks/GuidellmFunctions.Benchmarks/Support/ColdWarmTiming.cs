using System.Diagnostics;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>
/// Wall and CPU seconds of a piece of work in a probe process: its first run, which pays the JIT as a CLI verb run once
/// does, and the median of five warm runs. CPU time stands beside wall time because the work is one thread's: on a
/// machine others load, its CPU time is what it would take alone.
/// </summary>
internal sealed record ColdWarmTiming(double ColdSeconds, double ColdCpuSeconds, double WarmSeconds, double WarmCpuSeconds)
{
    private const int WarmRuns = 5;

    /// <summary>Runs <paramref name="work"/> once cold and five times warm; returns the first run's result and the timings.</summary>
    public static async Task<(T First, ColdWarmTiming Timing)> MeasureAsync<T>(Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        using var self = Process.GetCurrentProcess();
        var (first, coldWall, coldCpu) = await TimeAsync(self, work).ConfigureAwait(false);
        var warm = new List<(double Wall, double Cpu)>();
        for (var i = 0; i < WarmRuns; i++)
        {
            var (_, wall, cpu) = await TimeAsync(self, work).ConfigureAwait(false);
            warm.Add((wall, cpu));
        }

        return (first, new ColdWarmTiming(coldWall, coldCpu, Median(warm.Select(w => w.Wall)), Median(warm.Select(w => w.Cpu))));
    }

    private static async Task<(T Result, double Wall, double Cpu)> TimeAsync<T>(Process self, Func<Task<T>> work)
    {
        self.Refresh();
        var cpu = self.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var result = await work().ConfigureAwait(false);
        watch.Stop();
        self.Refresh();
        return (result, watch.Elapsed.TotalSeconds, (self.TotalProcessorTime - cpu).TotalSeconds);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
