namespace GuidellmFunctions.Engine.Configuration;

/// <summary>One Prometheus remote_write receiver (an entry of the top-level <c>remote_write:</c> list).</summary>
public sealed record RemoteWriteConfig
{
    /// <summary>The receiver's write endpoint, for example <c>http://prometheus:9090/api/v1/write</c>.</summary>
    public required Uri Url { get; init; }

    /// <summary>Cumulative samples are pushed this often during a burst (and once at its end).</summary>
    public TimeSpan PushInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Extra headers (tenant: <c>X-Scope-OrgID</c> for Mimir, <c>THANOS-TENANT</c> for Thanos); values are secrets.</summary>
    public IReadOnlyDictionary<string, Secret> Headers { get; init; } = new Dictionary<string, Secret>();

    /// <summary>Basic auth user name.</summary>
    public string? BasicAuthUsername { get; init; }

    /// <summary>Basic auth password.</summary>
    public Secret? BasicAuthPassword { get; init; }

    /// <summary>Bearer token.</summary>
    public Secret? BearerToken { get; init; }

    /// <summary>Labels added to every series (for example <c>cluster</c>, <c>region</c>).</summary>
    public IReadOnlyDictionary<string, string> ExternalLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>Send staleness markers after a burst's last samples, so its series end where the burst ends.</summary>
    public bool SendStaleMarkers { get; init; } = true;

    /// <summary>
    /// Also send native (exponential) histograms of the latency families, in requests of their own beside the classic
    /// buckets. For receivers that ingest them (Prometheus with <c>--enable-feature=native-histograms</c>, Mimir).
    /// </summary>
    public bool NativeHistograms { get; init; }

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Samples per request, at most.</summary>
    public int MaxSamplesPerRequest { get; init; } = 2000;

    /// <summary>Attempts per request before its samples are spooled.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Time spent retrying one request before its samples are spooled.</summary>
    public TimeSpan MaxRetryTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>First retry delay; doubled per attempt, with jitter.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Largest retry delay (a longer Retry-After is capped to it).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Every secret this receiver carries, for redaction.</summary>
    public IEnumerable<Secret?> Secrets => [BasicAuthPassword, BearerToken, .. Headers.Values];
}
