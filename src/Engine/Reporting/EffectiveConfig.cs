using System.Text.Json;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>Describes a target's effective settings for a report, with every secret redacted.</summary>
public static class EffectiveConfig
{
    private static readonly string[] SecretQueryWords = ["key", "token", "sig", "secret", "password", "auth"];

    /// <summary>
    /// The report's <c>config</c> section for <paramref name="target"/>; for a shard of a sharded run, the whole run's
    /// settings (its share is in the report's <c>shard</c>), so every shard report and the merged one describe the run.
    /// </summary>
    public static TargetReport Describe(ResolvedTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new TargetReport
        {
            Endpoint = RedactUrl(target.Endpoint),
            ApiKey = target.Target.ApiKey is { IsEmpty: false } ? Secret.Mask : null,
            Headers = [.. target.Target.Headers.Keys],
            Notes = target.Target.Notes,
            Settings = Settings(target.Shard?.Run ?? target.Settings),
        };
    }

    /// <summary>Every setting of <paramref name="settings"/> under its report field, in table order, secrets masked.</summary>
    public static Dictionary<string, JsonElement> Settings(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var setting in SettingsTable.All)
        {
            if (setting.ReportField is { } field)
            {
                using var value = JsonDocument.Parse(setting.Report(settings)?.ToJsonString() ?? "null");
                result[field] = value.RootElement.Clone();
            }
        }

        return result;
    }

    /// <summary><paramref name="url"/> without user info and with secret-looking query values masked.</summary>
    public static string RedactUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var builder = new UriBuilder(url) { UserName = string.Empty, Password = string.Empty };
        if (builder.Query.Length > 1)
        {
            var parts = builder.Query.TrimStart('?').Split('&').Select(part =>
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? part : part[..eq];
                return eq >= 0 && SecretQueryWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase)) ? $"{name}={Secret.Mask}" : part;
            });
            builder.Query = string.Join('&', parts);
        }

        return builder.Uri.ToString();
    }
}
