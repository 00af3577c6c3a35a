using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>Describes a target's effective settings for a report, with every secret redacted.</summary>
public static class EffectiveConfig
{
    private static readonly string[] SecretQueryWords = ["key", "token", "sig", "secret", "password", "auth"];

    /// <summary>The report's <c>config</c> section for <paramref name="target"/>.</summary>
    public static TargetReport Describe(ResolvedTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var s = target.Settings;
        return new TargetReport
        {
            Endpoint = RedactUrl(target.Endpoint),
            RequestType = ProfileNames.Format(s.RequestType),
            Profile = ProfileNames.Format(s.Profile),
            Rate = s.Rate,
            MaxSeconds = s.MaxDuration?.TotalSeconds,
            MaxRequests = s.MaxRequests,
            MaxErrors = s.MaxErrors,
            MaxTokens = s.MaxTokens,
            MaxConcurrency = s.MaxConcurrency,
            DataSpec = s.Data.ToString(),
            WarmupSeconds = s.Warmup.TotalSeconds,
            CooldownSeconds = s.Cooldown.TotalSeconds,
            RequestTimeoutSeconds = s.RequestTimeout.TotalSeconds,
            Seed = s.Seed,
            IgnoreEos = s.IgnoreEos,
            SweepSize = s.Profile == ProfileKind.Sweep ? s.SweepSize : null,
            InsecureSkipVerify = s.InsecureSkipVerify,
            ApiKey = target.Target.ApiKey is { IsEmpty: false } ? Secret.Mask : null,
            Headers = [.. target.Target.Headers.Keys],
            Notes = target.Target.Notes,
        };
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
