namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// The most one on-demand run may ask of a target (<c>limits:</c>): whoever can write to the run queue can otherwise point
/// any load at every configured target. Checked on the effective settings of each target a message runs, per stage.
/// </summary>
internal sealed record RunLimits
{
    /// <summary>The built-in caps, used where the config sets none.</summary>
    public static RunLimits Default { get; } = new();

    /// <summary>Requests per second of an open loop (constant, poisson; a capacity search by rate starts there).</summary>
    public double Rate { get; init; } = 20;

    /// <summary>Requests in flight: the streams of concurrent, throughput and sweep, <c>max_concurrency</c>.</summary>
    public int Streams { get; init; } = 64;

    /// <summary>Length of one stage (<c>max_seconds</c>; none is beyond any cap).</summary>
    public TimeSpan Seconds { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Requests of one stage (<c>max_requests</c>).</summary>
    public int Requests { get; init; } = 10_000;

    /// <summary>Prompt tokens of one request (the largest <c>data_spec</c> asks: its max, else its mean).</summary>
    public int PromptTokens { get; init; } = 32_768;

    /// <summary>Output tokens of one request (<c>data_spec</c>'s largest, or <c>max_tokens</c> when lower).</summary>
    public int OutputTokens { get; init; } = 4_096;

    /// <summary>Every cap <paramref name="settings"/> goes beyond, each naming the setting, its value and the cap's key under <paramref name="scope"/>.</summary>
    public IEnumerable<string> Exceeded(BenchmarkSettings settings, string scope)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string Beyond(string setting, string value, string cap, string key) => $"{setting} {value} exceeds the cap {cap} of on-demand runs ({scope}.{key})";
        var closedLoop = settings.Profile is ProfileKind.Concurrent || (settings.Profile is ProfileKind.Capacity && settings.Get(SettingsTable.CapacityBy) == Capacity.CapacityBy.Concurrency);
        if (!closedLoop && settings.Profile is not ProfileKind.Synchronous and not ProfileKind.Throughput and not ProfileKind.Sweep and not ProfileKind.Replay && settings.Rate > Rate)
        {
            yield return Beyond("rate", Text(settings.Rate), Text(Rate), "rate");
        }

        var streams = closedLoop ? (int)Math.Ceiling(settings.Rate) : settings.MaxConcurrency ?? (settings.Profile is ProfileKind.Throughput or ProfileKind.Sweep ? 256 : 0);
        if (closedLoop && settings.MaxConcurrency is { } cap)
        {
            streams = Math.Max(streams, cap);
        }

        if (streams > Streams)
        {
            yield return Beyond(closedLoop ? "rate (streams)" : "max_concurrency", Text(streams), Text(Streams), "streams");
        }

        if (settings.MaxDuration is not { } seconds || seconds == TimeSpan.Zero || seconds > Seconds)
        {
            yield return Beyond("max_seconds", settings.MaxDuration is { } s && s > TimeSpan.Zero ? Text(s.TotalSeconds) : "none", Text(Seconds.TotalSeconds), "seconds");
        }

        if (settings.MaxRequests is { } requests && requests > Requests)
        {
            yield return Beyond("max_requests", Text(requests), Text(Requests), "requests");
        }

        var prompt = Largest(settings.Data.PromptTokens) + settings.Data.PrefixTokens;
        if (prompt > PromptTokens)
        {
            yield return Beyond("prompt tokens", Text(prompt), Text(PromptTokens), "prompt_tokens");
        }

        var output = Math.Min(Largest(settings.Data.OutputTokens), settings.MaxTokens ?? int.MaxValue);
        if (output > OutputTokens)
        {
            yield return Beyond("output tokens", Text(output), Text(OutputTokens), "output_tokens");
        }
    }

    private static int Largest(TokenDistribution tokens) => tokens.Max ?? tokens.Mean;

    private static string Text(double value) => value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
