namespace GuidellmFunctions.Engine.Configuration;

/// <summary>The effective load settings of one target after defaults, target values and overrides are merged.</summary>
public sealed record BenchmarkSettings
{
    /// <summary>Load profile.</summary>
    public ProfileKind Profile { get; init; } = ProfileKind.Constant;

    /// <summary>Requests per second for constant/poisson; number of streams for concurrent.</summary>
    public double Rate { get; init; } = 1;

    /// <summary>Length of each load stage; null for no time limit (then <see cref="MaxRequests"/> must be set).</summary>
    public TimeSpan? MaxDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests sent per stage, at most.</summary>
    public int? MaxRequests { get; init; }

    /// <summary>The stage stops early once this many requests have failed.</summary>
    public int? MaxErrors { get; init; }

    /// <summary>Upper bound on <c>max_tokens</c> sent, applied after the data spec's output length.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Synthetic prompt and output lengths.</summary>
    public DataSpec Data { get; init; } = DataSpec.Default;

    /// <summary>The API used.</summary>
    public RequestType RequestType { get; init; } = RequestType.ChatCompletions;

    /// <summary>Time between runs in pull (<c>serve</c>) mode.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Cap on requests in flight; the throughput profile's concurrency. Null means no cap for open-loop profiles.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Requests sent in this first part of a stage are excluded from its results.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.Zero;

    /// <summary>Requests completing in this last part of a stage are excluded from its results.</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.Zero;

    /// <summary>Per-request deadline, from send to stream end.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Seed for prompts, lengths and poisson arrivals, so two runs send the same load.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Send vLLM's <c>ignore_eos: true</c> so every request produces exactly <c>max_tokens</c>.</summary>
    public bool IgnoreEos { get; init; } = true;

    /// <summary>Number of stages of a sweep, synchronous and throughput included (guidellm's default 10).</summary>
    public int SweepSize { get; init; } = 10;

    /// <summary>Skip TLS certificate validation for this target (self-signed test clusters only).</summary>
    public bool InsecureSkipVerify { get; init; }

    /// <summary>The HTTP client requests go through (<c>http_client: auto | httpclient</c>).</summary>
    public HttpClientKind HttpClient { get; init; } = HttpClientKind.Auto;

    /// <summary>
    /// Stamp streamed chunks with the kernel's receive time (<c>kernel_timestamps</c>, default true): where the runner's
    /// HTTP/1.1 client runs on Linux, TTFT and ITL then leave out the runner's own wake-up and queueing.
    /// </summary>
    public bool KernelTimestamps { get; init; } = true;

    /// <summary>The default throughput-profile concurrency when <see cref="MaxConcurrency"/> is not set.</summary>
    public const int DefaultThroughputConcurrency = 256;

    /// <summary>Returns a copy with every non-null value of <paramref name="patch"/> applied.</summary>
    public BenchmarkSettings With(BenchmarkSettingsPatch? patch)
    {
        if (patch is null)
        {
            return this;
        }

        return this with
        {
            Profile = patch.Profile ?? Profile,
            Rate = patch.Rate ?? Rate,
            MaxDuration = patch.MaxSeconds is { } s ? (s > 0 ? TimeSpan.FromSeconds(s) : null) : MaxDuration,
            MaxRequests = patch.MaxRequests is { } r ? (r > 0 ? r : null) : MaxRequests,
            MaxErrors = patch.MaxErrors ?? MaxErrors,
            MaxTokens = patch.MaxTokens ?? MaxTokens,
            Data = WithLengths(patch.Data ?? Data, patch.PromptTokens, patch.OutputTokens),
            RequestType = patch.RequestType ?? RequestType,
            Interval = patch.Interval ?? Interval,
            MaxConcurrency = patch.MaxConcurrency ?? MaxConcurrency,
            Warmup = patch.Warmup ?? Warmup,
            Cooldown = patch.Cooldown ?? Cooldown,
            RequestTimeout = patch.RequestTimeout ?? RequestTimeout,
            Seed = patch.Seed ?? Seed,
            IgnoreEos = patch.IgnoreEos ?? IgnoreEos,
            SweepSize = patch.SweepSize ?? SweepSize,
            InsecureSkipVerify = patch.InsecureSkipVerify ?? InsecureSkipVerify,
            HttpClient = patch.HttpClient ?? HttpClient,
            KernelTimestamps = patch.KernelTimestamps ?? KernelTimestamps,
        };
    }

    private static DataSpec WithLengths(DataSpec data, int? prompt, int? output) => data with
    {
        PromptTokens = prompt is { } p ? data.PromptTokens with { Mean = p } : data.PromptTokens,
        OutputTokens = output is { } o ? data.OutputTokens with { Mean = o } : data.OutputTokens,
    };

    /// <summary>Checks the merged settings; each problem is added to <paramref name="problems"/> as (key, message).</summary>
    public void Validate(List<(string Key, string Message)> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (Profile is ProfileKind.Constant or ProfileKind.Poisson or ProfileKind.Concurrent && !(Rate > 0 && double.IsFinite(Rate)))
        {
            problems.Add(("rate", $"profile {ProfileNames.Format(Profile)} needs rate > 0, got {Rate}"));
        }

        if (Profile == ProfileKind.Concurrent && Rate != Math.Floor(Rate))
        {
            problems.Add(("rate", $"profile concurrent takes a whole number of streams as rate, got {Rate}"));
        }

        if (MaxDuration is null && MaxRequests is null)
        {
            problems.Add(("max_seconds", "set max_seconds or max_requests: a burst must be bounded"));
        }

        if (Profile == ProfileKind.Sweep && SweepSize < 3)
        {
            problems.Add(("sweep_size", $"a sweep needs at least 3 stages, got {SweepSize}"));
        }

        if (MaxDuration is { } d && Warmup + Cooldown >= d)
        {
            problems.Add(("warmup_seconds", $"warmup ({Warmup.TotalSeconds}s) plus cooldown ({Cooldown.TotalSeconds}s) leave nothing of max_seconds ({d.TotalSeconds}s)"));
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            problems.Add(("request_timeout", "must be > 0"));
        }
    }
}
