namespace GuidellmFunctions.Engine.Reporting;

/// <summary>The effective settings of a run, secrets redacted: what a reader needs to reproduce it.</summary>
public sealed record TargetReport
{
    /// <summary>Endpoint requests were sent to (credentials in the URL removed).</summary>
    public required string Endpoint { get; init; }

    /// <summary><c>chat_completions</c> or <c>text_completions</c>.</summary>
    public required string RequestType { get; init; }

    /// <summary>Configured profile.</summary>
    public required string Profile { get; init; }

    /// <summary>Configured rate.</summary>
    public double Rate { get; init; }

    /// <summary>Stage time limit.</summary>
    public double? MaxSeconds { get; init; }

    /// <summary>Stage request limit.</summary>
    public int? MaxRequests { get; init; }

    /// <summary>Failure limit.</summary>
    public int? MaxErrors { get; init; }

    /// <summary>Cap on output tokens.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Concurrency cap.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Synthetic data spec in guidellm's form.</summary>
    public required string DataSpec { get; init; }

    /// <summary>Warmup seconds.</summary>
    public double WarmupSeconds { get; init; }

    /// <summary>Cooldown seconds.</summary>
    public double CooldownSeconds { get; init; }

    /// <summary>Per-request timeout.</summary>
    public double RequestTimeoutSeconds { get; init; }

    /// <summary>Random seed.</summary>
    public int Seed { get; init; }

    /// <summary>Whether <c>ignore_eos</c> was sent.</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>Sweep stages.</summary>
    public int? SweepSize { get; init; }

    /// <summary>Whether TLS validation was off.</summary>
    public bool InsecureSkipVerify { get; init; }

    /// <summary><see cref="Configuration.Secret.Mask"/> when an API key was configured, null otherwise.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Names of extra headers (values redacted).</summary>
    public IReadOnlyList<string> Headers { get; init; } = [];

    /// <summary>Notes from the config.</summary>
    public string? Notes { get; init; }
}
