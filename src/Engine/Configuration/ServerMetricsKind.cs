namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Where a target's server metrics are read from (<c>server_metrics</c>).</summary>
public enum ServerMetricsKind
{
    /// <summary>The target's own <c>/metrics</c>: its URL's scheme, host and port.</summary>
    Target,

    /// <summary>A <c>/metrics</c> at a URL of its own.</summary>
    Url,

    /// <summary>A Prometheus-compatible query API (Prometheus, Thanos, Mimir, VictoriaMetrics) that scrapes the server.</summary>
    Prometheus,

    /// <summary>Not read.</summary>
    Off,
}
