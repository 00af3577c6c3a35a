namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>Nearest-rank percentiles of a sample, for the figures the suite prints.</summary>
internal static class Percentiles
{
    public static double Of(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static (double P50, double P99, int Count) P50P99(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return (Of(sorted, 50), Of(sorted, 99), sorted.Count);
    }
}
