using System.Text.Json;
using System.Text.Json.Serialization;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>The effective settings of a run, secrets redacted: what a reader needs to reproduce it.</summary>
public sealed record TargetReport
{
    /// <summary>Endpoint requests were sent to (credentials in the URL removed).</summary>
    public required string Endpoint { get; init; }

    /// <summary><see cref="Configuration.Secret.Mask"/> when an API key was configured, null otherwise.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Names of extra headers (values redacted).</summary>
    public IReadOnlyList<string> Headers { get; init; } = [];

    /// <summary>Notes from the config.</summary>
    public string? Notes { get; init; }

    /// <summary>
    /// Every setting of <see cref="Configuration.SettingsTable"/> under its report field (<c>profile</c>, <c>maxSeconds</c>,
    /// <c>requestTimeoutSeconds</c>, ...; durations in seconds, null for "none"), written beside the fields above.
    /// </summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement> Settings { get; set; } = [];
}
