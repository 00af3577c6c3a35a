namespace GuidellmFunctions.Engine.Export;

/// <summary>Prometheus metric types the runner exports.</summary>
public enum MetricKind
{
    /// <summary>Monotonic counter.</summary>
    Counter,

    /// <summary>Gauge.</summary>
    Gauge,

    /// <summary>Classic histogram (<c>_bucket</c>, <c>_sum</c>, <c>_count</c>).</summary>
    Histogram,
}
