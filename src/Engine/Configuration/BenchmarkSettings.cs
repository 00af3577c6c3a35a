namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// The effective load settings of one target after defaults, target values and overrides are merged: one value per
/// entry of <see cref="SettingsTable"/>, read with <see cref="Get"/>. The properties are shorthands for the settings the
/// engine reads everywhere.
/// </summary>
public sealed record BenchmarkSettings
{
    /// <summary>The default throughput-profile concurrency when <see cref="MaxConcurrency"/> is not set.</summary>
    public const int DefaultThroughputConcurrency = 256;

    private object?[] _values = SettingsTable.Defaults();

    /// <summary>Load profile.</summary>
    public ProfileKind Profile { get => Get(SettingsTable.Profile); init => Store(SettingsTable.Profile, value); }

    /// <summary>Requests per second for constant/poisson; number of streams for concurrent.</summary>
    public double Rate { get => Get(SettingsTable.Rate); init => Store(SettingsTable.Rate, value); }

    /// <summary>Length of each load stage; null for no time limit (then <see cref="MaxRequests"/> must be set).</summary>
    public TimeSpan? MaxDuration { get => Get(SettingsTable.MaxSeconds); init => Store(SettingsTable.MaxSeconds, value); }

    /// <summary>Requests sent per stage, at most.</summary>
    public int? MaxRequests { get => Get(SettingsTable.MaxRequests); init => Store(SettingsTable.MaxRequests, value); }

    /// <summary>The stage stops early once this many requests have failed.</summary>
    public int? MaxErrors { get => Get(SettingsTable.MaxErrors); init => Store(SettingsTable.MaxErrors, value); }

    /// <summary>Upper bound on <c>max_tokens</c> sent, applied after the data spec's output length.</summary>
    public int? MaxTokens { get => Get(SettingsTable.MaxTokens); init => Store(SettingsTable.MaxTokens, value); }

    /// <summary>Synthetic prompt and output lengths.</summary>
    public DataSpec Data { get => Get(SettingsTable.DataSpec); init => Store(SettingsTable.DataSpec, value); }

    /// <summary>The API used.</summary>
    public RequestType RequestType { get => Get(SettingsTable.RequestType); init => Store(SettingsTable.RequestType, value); }

    /// <summary>Time between runs in pull (<c>serve</c>) mode.</summary>
    public TimeSpan Interval { get => Get(SettingsTable.Interval); init => Store(SettingsTable.Interval, value); }

    /// <summary>Cap on requests in flight; the throughput profile's concurrency. Null means no cap for open-loop profiles.</summary>
    public int? MaxConcurrency { get => Get(SettingsTable.MaxConcurrency); init => Store(SettingsTable.MaxConcurrency, value); }

    /// <summary>Requests sent in this first part of a stage are excluded from its results.</summary>
    public TimeSpan Warmup { get => Get(SettingsTable.WarmupSeconds); init => Store(SettingsTable.WarmupSeconds, value); }

    /// <summary>Requests completing in this last part of a stage are excluded from its results.</summary>
    public TimeSpan Cooldown { get => Get(SettingsTable.CooldownSeconds); init => Store(SettingsTable.CooldownSeconds, value); }

    /// <summary>Per-request deadline, from send to stream end.</summary>
    public TimeSpan RequestTimeout { get => Get(SettingsTable.RequestTimeout); init => Store(SettingsTable.RequestTimeout, value); }

    /// <summary>Seed for prompts, lengths and poisson arrivals, so two runs send the same load.</summary>
    public int Seed { get => Get(SettingsTable.Seed); init => Store(SettingsTable.Seed, value); }

    /// <summary>Send vLLM's <c>ignore_eos: true</c> so every request produces exactly <c>max_tokens</c>.</summary>
    public bool IgnoreEos { get => Get(SettingsTable.IgnoreEos); init => Store(SettingsTable.IgnoreEos, value); }

    /// <summary>Number of stages of a sweep, synchronous and throughput included (guidellm's default 10).</summary>
    public int SweepSize { get => Get(SettingsTable.SweepSize); init => Store(SettingsTable.SweepSize, value); }

    /// <summary>Skip TLS certificate validation for this target (self-signed test clusters only).</summary>
    public bool InsecureSkipVerify { get => Get(SettingsTable.InsecureSkipVerify); init => Store(SettingsTable.InsecureSkipVerify, value); }

    /// <summary>The HTTP client requests go through (<c>http_client</c>).</summary>
    public HttpClientKind HttpClient { get => Get(SettingsTable.HttpClient); init => Store(SettingsTable.HttpClient, value); }

    /// <summary>
    /// Stamp streamed chunks with the kernel's receive time (<c>kernel_timestamps</c>, default true): where the runner's
    /// HTTP/1.1 client runs on Linux, TTFT and ITL then leave out the runner's own wake-up and queueing.
    /// </summary>
    public bool KernelTimestamps { get => Get(SettingsTable.KernelTimestamps); init => Store(SettingsTable.KernelTimestamps, value); }

    /// <summary>The proxy of the target's requests (<c>proxy</c>); null: the environment's.</summary>
    public ProxySetting? Proxy { get => Get(SettingsTable.Proxy); init => Store(SettingsTable.Proxy, value); }

    /// <summary>The value of <paramref name="setting"/>.</summary>
    public T Get<T>(Setting<T> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        return (T)_values[setting.Index]!;
    }

    /// <summary>A copy with <paramref name="setting"/> set to <paramref name="value"/>.</summary>
    public BenchmarkSettings Set<T>(Setting<T> setting, T value)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var copy = this with { };
        copy.Store(setting, value);
        return copy;
    }

    /// <summary>Returns a copy with every value <paramref name="patch"/> gives applied, in table order.</summary>
    public BenchmarkSettings With(BenchmarkSettingsPatch? patch)
    {
        var result = this;
        foreach (var (setting, value) in patch?.Given ?? [])
        {
            result = setting.Merge(result, value);
        }

        return result;
    }

    /// <summary>Checks the merged settings; each problem is added to <paramref name="problems"/> as (key, message).</summary>
    public void Validate(List<(string Key, string Message)> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        foreach (var setting in SettingsTable.All)
        {
            if (setting.Check(this) is { } problem)
            {
                problems.Add((setting.Key, problem));
            }
        }
    }

    /// <inheritdoc />
    public bool Equals(BenchmarkSettings? other) =>
        other is not null && _values.SequenceEqual(other._values);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var value in _values)
        {
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    // The copy made by `with` shares the array: replace it, never write into it.
    private void Store<T>(Setting<T> setting, T value)
    {
        var values = (object?[])_values.Clone();
        values[setting.Index] = value;
        _values = values;
    }
}
