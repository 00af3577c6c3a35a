namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>
/// The highest values of the server's state gauges over the readings of a stage: requests running and waiting (summed
/// over series, so data-parallel engines add up) and KV-cache usage (the fullest series).
/// </summary>
internal sealed class GaugePeaks
{
    /// <summary>Readings observed.</summary>
    public int Readings { get; private set; }

    /// <summary>Most requests running in one reading.</summary>
    public double? Running { get; private set; }

    /// <summary>Most requests waiting in one reading.</summary>
    public double? Waiting { get; private set; }

    /// <summary>Highest KV-cache usage in one reading (0–1).</summary>
    public double? KvCacheUsage { get; private set; }

    /// <summary>Takes one reading into account.</summary>
    public void Observe(MetricSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Readings++;
        Running = Higher(Running, ServerMetricNames.First(snapshot, ServerMetricNames.Running) is { } running ? snapshot.Sum(running) : null);
        Waiting = Higher(Waiting, ServerMetricNames.First(snapshot, ServerMetricNames.Waiting) is { } waiting ? snapshot.Sum(waiting) : null);
        KvCacheUsage = Higher(KvCacheUsage, ServerMetricNames.First(snapshot, ServerMetricNames.KvCacheUsage) is { } kv ? snapshot.Max(kv) : null);
    }

    private static double? Higher(double? current, double? seen) => seen is not { } v || !double.IsFinite(v) ? current : Math.Max(current ?? v, v);
}
