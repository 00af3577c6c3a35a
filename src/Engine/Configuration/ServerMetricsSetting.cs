namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// The <c>server_metrics</c> setting: whether and where the target's own metrics are read before, during and after each
/// stage. Credentials are <see cref="Secret"/>s, masked wherever the setting is shown.
/// </summary>
public sealed record ServerMetricsSetting
{
    /// <summary>The default: the target's own <c>/metrics</c>.</summary>
    public static ServerMetricsSetting Target { get; } = new();

    /// <summary>Server metrics off.</summary>
    public static ServerMetricsSetting Off { get; } = new() { Kind = ServerMetricsKind.Off };

    /// <summary>Where the metrics come from.</summary>
    public ServerMetricsKind Kind { get; init; } = ServerMetricsKind.Target;

    /// <summary>The <c>/metrics</c> address for <see cref="ServerMetricsKind.Url"/>; the query API's base for <see cref="ServerMetricsKind.Prometheus"/>.</summary>
    public Uri? Url { get; init; }

    /// <summary>
    /// The series selector of the server's metrics in the query API, as PromQL writes it (<c>{namespace="llm", pod=~"mistral-.*"}</c>);
    /// null selects by the target's model (<c>{model_name="MODEL"}</c>).
    /// </summary>
    public string? Selector { get; init; }

    /// <summary>The selector of the server's GPUs' DCGM series in the query API; null for no GPU figures.</summary>
    public string? GpuSelector { get; init; }

    /// <summary>Extra request headers (a tenant: <c>X-Scope-OrgID</c>, <c>THANOS-TENANT</c>); values are secrets.</summary>
    public IReadOnlyDictionary<string, Secret> Headers { get; init; } = new Dictionary<string, Secret>();

    /// <summary>Basic auth user name.</summary>
    public string? BasicAuthUsername { get; init; }

    /// <summary>Basic auth password.</summary>
    public Secret? BasicAuthPassword { get; init; }

    /// <summary>Bearer token.</summary>
    public Secret? BearerToken { get; init; }

    /// <summary>Time between reads of <c>/metrics</c> during a stage (the gauges' peaks come from these reads).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time one read may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Every secret the setting carries, for redaction.</summary>
    public IEnumerable<Secret?> Secrets => [BasicAuthPassword, BearerToken, .. Headers.Values];

    /// <inheritdoc />
    public bool Equals(ServerMetricsSetting? other) =>
        other is not null && Kind == other.Kind && Url == other.Url && Selector == other.Selector && GpuSelector == other.GpuSelector
        && BasicAuthUsername == other.BasicAuthUsername && Equals(BasicAuthPassword, other.BasicAuthPassword) && Equals(BearerToken, other.BearerToken)
        && Interval == other.Interval && Timeout == other.Timeout
        && Headers.Count == other.Headers.Count && Headers.All(h => other.Headers.TryGetValue(h.Key, out var v) && h.Value.Equals(v));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Url, Selector, GpuSelector, BasicAuthUsername, Interval, Timeout, Headers.Count);
}
