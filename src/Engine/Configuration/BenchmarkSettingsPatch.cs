namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Settings given at one level (defaults, a target, a queue message or the command line); null means "not given".</summary>
public sealed record BenchmarkSettingsPatch
{
    /// <summary>See <see cref="BenchmarkSettings.Profile"/>.</summary>
    public ProfileKind? Profile { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.Rate"/>.</summary>
    public double? Rate { get; init; }

    /// <summary>Stage length in seconds; 0 removes the time limit.</summary>
    public double? MaxSeconds { get; init; }

    /// <summary>Requests per stage; 0 removes the count limit.</summary>
    public int? MaxRequests { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.MaxErrors"/>.</summary>
    public int? MaxErrors { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.MaxTokens"/>.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.Data"/>.</summary>
    public DataSpec? Data { get; init; }

    /// <summary>Prompt length override, applied on top of the data spec in effect.</summary>
    public int? PromptTokens { get; init; }

    /// <summary>Output length override, applied on top of the data spec in effect.</summary>
    public int? OutputTokens { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.RequestType"/>.</summary>
    public RequestType? RequestType { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.Interval"/>.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.MaxConcurrency"/>.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.Warmup"/>.</summary>
    public TimeSpan? Warmup { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.Cooldown"/>.</summary>
    public TimeSpan? Cooldown { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.RequestTimeout"/>.</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.Seed"/>.</summary>
    public int? Seed { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.IgnoreEos"/>.</summary>
    public bool? IgnoreEos { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.SweepSize"/>.</summary>
    public int? SweepSize { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.InsecureSkipVerify"/>.</summary>
    public bool? InsecureSkipVerify { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.HttpClient"/>.</summary>
    public HttpClientKind? HttpClient { get; init; }

    /// <summary>See <see cref="BenchmarkSettings.KernelTimestamps"/>.</summary>
    public bool? KernelTimestamps { get; init; }

    /// <summary>This patch with every value <paramref name="over"/> gives replacing this one's.</summary>
    public BenchmarkSettingsPatch Merge(BenchmarkSettingsPatch over)
    {
        ArgumentNullException.ThrowIfNull(over);
        return new BenchmarkSettingsPatch
        {
            Profile = over.Profile ?? Profile, Rate = over.Rate ?? Rate, MaxSeconds = over.MaxSeconds ?? MaxSeconds,
            MaxRequests = over.MaxRequests ?? MaxRequests, MaxErrors = over.MaxErrors ?? MaxErrors, MaxTokens = over.MaxTokens ?? MaxTokens,
            Data = over.Data ?? Data, PromptTokens = over.PromptTokens ?? PromptTokens, OutputTokens = over.OutputTokens ?? OutputTokens,
            RequestType = over.RequestType ?? RequestType, Interval = over.Interval ?? Interval, MaxConcurrency = over.MaxConcurrency ?? MaxConcurrency,
            Warmup = over.Warmup ?? Warmup, Cooldown = over.Cooldown ?? Cooldown, RequestTimeout = over.RequestTimeout ?? RequestTimeout,
            Seed = over.Seed ?? Seed, IgnoreEos = over.IgnoreEos ?? IgnoreEos, SweepSize = over.SweepSize ?? SweepSize,
            InsecureSkipVerify = over.InsecureSkipVerify ?? InsecureSkipVerify,
            HttpClient = over.HttpClient ?? HttpClient,
            KernelTimestamps = over.KernelTimestamps ?? KernelTimestamps,
        };
    }
}
