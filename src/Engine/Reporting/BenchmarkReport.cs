namespace GuidellmFunctions.Engine.Reporting;

/// <summary>One load stage of a run.</summary>
public sealed record BenchmarkReport
{
    /// <summary>Stage position in the run, from 0.</summary>
    public int Index { get; init; }

    /// <summary>The load applied.</summary>
    public required ProfileReport Profile { get; init; }

    /// <summary>Stage start (wall clock).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Stage end (wall clock).</summary>
    public DateTimeOffset EndedAt { get; init; }

    /// <summary>Stage length.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Length of the measured window (duration minus warmup and cooldown).</summary>
    public double MeasuredSeconds { get; init; }

    /// <summary>What ended it: <c>max_seconds</c>, <c>max_requests</c>, <c>max_errors</c>, <c>over_saturation</c> or <c>cancelled</c>.</summary>
    public required string StopReason { get; init; }

    /// <summary>Why the stage was stopped early (over-saturation), in words; null otherwise.</summary>
    public string? StopDetail { get; init; }

    /// <summary>The results.</summary>
    public required BenchmarkSummary Summary { get; init; }

    /// <summary>The server's own figures over the stage (<c>server_metrics</c>); null when off.</summary>
    public ServerReport? Server { get; init; }

    /// <summary>Client latency minus the server's: the network, ingress and HTTP server's share; null without server figures.</summary>
    public ClientMinusServer? ClientMinusServer { get; init; }

    /// <summary>Whether the runner itself may have limited what it measured; null when not judged.</summary>
    public ValidityReport? Validity { get; init; }
}
