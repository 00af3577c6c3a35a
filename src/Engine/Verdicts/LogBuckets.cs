namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>
/// The verdict's histogram grid: bucket 0 holds values up to 1 µs, bucket k &gt; 0 values in (1 µs · 1.01^(k−1), 1 µs · 1.01^k],
/// up to about 3 hours; a value is read back as its bucket's geometric middle, within 0.5%.
/// </summary>
internal static class LogBuckets
{
    /// <summary>The upper bound of bucket 0, in ms.</summary>
    public const double MinimumMs = 0.001;

    /// <summary>Ratio of consecutive bucket bounds.</summary>
    public const double Growth = 1.01;

    private static readonly double LogGrowth = Math.Log(Growth);

    /// <summary>Buckets in the grid.</summary>
    public static int Count { get; } = (int)Math.Ceiling(Math.Log(1e7 / MinimumMs) / LogGrowth) + 1;

    /// <summary>The bucket of <paramref name="ms"/>; values beyond the grid go to its last bucket.</summary>
    public static int Index(double ms) =>
        !(ms > MinimumMs) ? 0 : (int)Math.Min(Count - 1, Math.Ceiling(Math.Log(ms / MinimumMs) / LogGrowth));

    /// <summary>The value a bucket stands for.</summary>
    public static double Value(int index) => index == 0 ? MinimumMs : MinimumMs * Math.Exp((index - 0.5) * LogGrowth);
}
