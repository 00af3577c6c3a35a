using GuidellmFunctions.Engine.Slo;
using static GuidellmFunctions.Engine.Configuration.SettingChannels;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// Every benchmark setting, each defined once. Adding a setting is adding an entry here: the YAML loader (under
/// <c>defaults:</c> and on targets), the <c>run</c> flags, the queue message overrides, the report's <c>config</c>,
/// <c>validate</c> and docs/settings.md all follow. Engine code reads a value with <see cref="BenchmarkSettings.Get"/>.
/// Settings merge in this order (built-in default, <c>defaults:</c>, target, then flags or overrides), so a setting
/// folded into another comes after it. Top-level sections (remote_write, archive, prometheus) are not settings: they
/// have their own readers.
/// </summary>
public static class SettingsTable
{
    // Declared first: the entries below add themselves in declaration order.
    private static readonly List<Setting> Entries = [];

    /// <summary>The load profile.</summary>
    public static readonly Setting<ProfileKind> Profile = Add(new Setting<ProfileKind>("profile", SettingFormats.Choice(ProfileNames.Names), ProfileKind.Constant)
    {
        Doc = "Load profile: synchronous (one request at a time), concurrent (`rate` streams back to back), throughput (`max_concurrency` streams), "
            + "constant (`rate` req/s, open loop), poisson (exponential arrivals of mean `rate`), sweep (synchronous, throughput, then constant rates between the two), "
            + "replay (open loop at the timestamps of a trace `dataset`, times its `time_scale`), "
            + "capacity (the highest load, from `rate` up, whose stage meets the `slo`; see `capacity_by`).",
        Example = "poisson",
    });

    /// <summary>Requests per second, or streams for concurrent.</summary>
    public static readonly Setting<double> Rate = Add(new Setting<double>("rate", SettingFormats.Number(0, exclusiveMin: true), 1)
    {
        Doc = "Requests per second for constant and poisson; streams (a whole number) for concurrent.",
        Example = "2.5",
        Validate = (rate, s) => s.Profile is ProfileKind.Constant or ProfileKind.Poisson or ProfileKind.Concurrent && !(rate > 0 && double.IsFinite(rate))
            ? $"profile {ProfileNames.Format(s.Profile)} needs rate > 0, got {rate}"
            : s.Profile == ProfileKind.Concurrent && rate != Math.Floor(rate) ? $"profile concurrent takes a whole number of streams as rate, got {rate}" : null,
    });

    /// <summary>Time between runs in pull mode.</summary>
    public static readonly Setting<TimeSpan> Interval = Add(new Setting<TimeSpan>("interval", SettingFormats.Duration(positive: true), TimeSpan.FromSeconds(60), Yaml)
    {
        Doc = "Time between two runs of a target in pull mode (`serve`).",
        Example = "5m",
        ReportField = "intervalSeconds",
    });

    /// <summary>Stage length.</summary>
    public static readonly Setting<TimeSpan?> MaxSeconds = Add(new Setting<TimeSpan?>("max_seconds", SettingFormats.DurationOrNone(), TimeSpan.FromSeconds(30))
    {
        Doc = "Length of each stage; 0 removes the time limit (then `max_requests` must bound the burst).",
        Example = "45s",
        Validate = (d, s) => d is null && s.MaxRequests is null ? "set max_seconds or max_requests: a burst must be bounded" : null,
    });

    /// <summary>Requests per stage.</summary>
    public static readonly Setting<int?> MaxRequests = Add(new Setting<int?>("max_requests", SettingFormats.OptionalInt(0), null)
    {
        Doc = "Requests sent per stage, at most.",
        Example = "500",
    });

    /// <summary>Failure limit.</summary>
    public static readonly Setting<int?> MaxErrors = Add(new Setting<int?>("max_errors", SettingFormats.OptionalInt(1), null)
    {
        Doc = "A stage stops once this many requests have failed, and the run is failed.",
        Example = "20",
    });

    /// <summary>Cap on output tokens.</summary>
    public static readonly Setting<int?> MaxTokens = Add(new Setting<int?>("max_tokens", SettingFormats.OptionalInt(1), null)
    {
        Doc = "Upper bound on the `max_tokens` sent, applied after `data_spec`'s output length.",
        Example = "100",
    });

    /// <summary>Synthetic prompt and output lengths.</summary>
    public static readonly Setting<DataSpec> DataSpec = Add(new Setting<DataSpec>("data_spec", SettingFormats.Data, Configuration.DataSpec.Default)
    {
        Aliases = ["data"],
        Doc = "Synthetic prompt and output lengths in tokens, in guidellm's form; prompts are sized with cl100k_base. "
            + "`prefix_tokens=N,prefix_count=K`: each prompt starts with one of K shared prefixes of N tokens (request i with prefix i mod K). "
            + "`turns=T`: conversations of T turns, each sending the whole history with the server's own answers (with a dataset: at most T turns of each conversation).",
        Example = "prompt_tokens=512,output_tokens=64,output_tokens_stdev=8",
    });

    /// <summary>Prompt length over the data spec.</summary>
    public static readonly Setting<int> PromptTokens = Add(new Setting<int>("prompt_tokens", SettingFormats.Int(1), 0, Cli | Queue)
    {
        Doc = "Prompt length in tokens, set over `data_spec`'s.",
        Example = "64",
        FoldsInto = DataSpec,
        DefaultTextOverride = "from data_spec",
        MergeRule = (s, n) => s.Set(DataSpec, s.Data with { PromptTokens = s.Data.PromptTokens with { Mean = n } }),
    });

    /// <summary>Output length over the data spec.</summary>
    public static readonly Setting<int> OutputTokens = Add(new Setting<int>("output_tokens", SettingFormats.Int(1), 0, Cli | Queue)
    {
        Doc = "Output length in tokens, set over `data_spec`'s.",
        Example = "32",
        FoldsInto = DataSpec,
        DefaultTextOverride = "from data_spec",
        MergeRule = (s, n) => s.Set(DataSpec, s.Data with { OutputTokens = s.Data.OutputTokens with { Mean = n } }),
    });

    /// <summary>The dataset requests are taken from.</summary>
    public static readonly Setting<DatasetSpec?> Dataset = Add(new Setting<DatasetSpec?>("dataset", SettingFormats.Dataset, null)
    {
        Doc = "Send the prompts of a dataset (JSONL in ShareGPT, OpenAI chat or plain form, CSV, a Mooncake or Azure trace) instead of synthetic ones: "
            + "a mapping that defines it, or the name of one defined under `datasets:` or elsewhere in the config (what a flag or queue message gives). "
            + "`data_spec` still gives output lengths the records lack, `turns` and the shared prefix. See README, Datasets.",
        Example = "sample-sharegpt",
        Validate = (d, s) => d is { Path: { } path } && !File.Exists(path) ? $"dataset file '{path}' does not exist"
            : s.Profile == ProfileKind.Replay && d is null ? "profile replay sends a trace at its timestamps: set dataset to a trace (format mooncake or azure_trace)"
            : s.Profile == ProfileKind.Replay && d is { Format: not (DatasetFormat.Auto or DatasetFormat.Mooncake or DatasetFormat.AzureTrace) } ? $"profile replay needs a trace with timestamps (format mooncake or azure_trace), not {DatasetNames.Formats.Format(d.Format)}"
            : null,
    });

    /// <summary>The API driven.</summary>
    public static readonly Setting<RequestType> RequestType = Add(new Setting<RequestType>("request_type", SettingFormats.Choice(RequestTypeNames.Names), Configuration.RequestType.ChatCompletions)
    {
        Doc = "The API driven: chat_completions (`/v1/chat/completions`, one user message) or text_completions (`/v1/completions`).",
        Example = "text_completions",
    });

    /// <summary>Cap on requests in flight.</summary>
    public static readonly Setting<int?> MaxConcurrency = Add(new Setting<int?>("max_concurrency", SettingFormats.OptionalInt(1), null)
    {
        Doc = "Cap on requests in flight for constant and poisson; the number of streams of throughput.",
        Example = "64",
        DefaultTextOverride = $"none ({BenchmarkSettings.DefaultThroughputConcurrency} for throughput)",
    });

    /// <summary>Linear ramp of the arrival rate.</summary>
    public static readonly Setting<TimeSpan> RampUpSeconds = Add(new Setting<TimeSpan>("ramp_up_seconds", SettingFormats.Duration(positive: false), TimeSpan.Zero)
    {
        Doc = "The arrival rate of constant and poisson stages rises linearly from 0 to `rate` over this time, then holds (each stage of a sweep ramps).",
        Example = "10s",
        ReportField = "rampUpSeconds",
    });

    /// <summary>Gamma-distributed gaps.</summary>
    public static readonly Setting<double?> Burstiness = Add(new Setting<double?>("burstiness", SettingFormats.OptionalNumber(0), null)
    {
        Doc = "Gaps between arrivals of constant and poisson stages drawn from a gamma distribution of this shape and mean 1/`rate`, as vLLM's `--burstiness`: "
            + "1 is poisson, below 1 burstier, above 1 steadier (toward constant). None keeps the profile's own gaps.",
        Example = "0.5",
    });

    /// <summary>Pause between the turns of a conversation.</summary>
    public static readonly Setting<TimeSpan> ThinkTime = Add(new Setting<TimeSpan>("think_time", SettingFormats.Duration(positive: false), TimeSpan.Zero)
    {
        Doc = "Pause between an answer and the next turn of its conversation (`turns` in `data_spec`, or a dataset's conversations); the next turn is scheduled at its end.",
        Example = "2s",
        ReportField = "thinkTimeSeconds",
    });

    /// <summary>Excluded start of a stage.</summary>
    public static readonly Setting<TimeSpan> WarmupSeconds = Add(new Setting<TimeSpan>("warmup_seconds", SettingFormats.Duration(positive: false), TimeSpan.Zero)
    {
        Aliases = ["warmup"],
        Doc = "Requests sent in this first part of a stage are left out of its results.",
        Example = "5s",
        Validate = (warmup, s) => s.MaxDuration is { } d && warmup + s.Cooldown >= d
            ? $"warmup ({warmup.TotalSeconds}s) plus cooldown ({s.Cooldown.TotalSeconds}s) leave nothing of max_seconds ({d.TotalSeconds}s)"
            : null,
    });

    /// <summary>Excluded end of a stage.</summary>
    public static readonly Setting<TimeSpan> CooldownSeconds = Add(new Setting<TimeSpan>("cooldown_seconds", SettingFormats.Duration(positive: false), TimeSpan.Zero)
    {
        Aliases = ["cooldown"],
        Doc = "Requests completing in this last part of a stage are left out of its results.",
        Example = "3s",
    });

    /// <summary>Per-request deadline.</summary>
    public static readonly Setting<TimeSpan> RequestTimeout = Add(new Setting<TimeSpan>("request_timeout", SettingFormats.Duration(positive: true), TimeSpan.FromSeconds(120))
    {
        Aliases = ["timeout"],
        Doc = "Deadline of one request, from send to stream end; a request past it fails as `timeout`.",
        Example = "45s",
        ReportField = "requestTimeoutSeconds",
        Validate = (t, _) => t <= TimeSpan.Zero ? "must be > 0" : null,
    });

    /// <summary>Time allowed to open a connection.</summary>
    public static readonly Setting<TimeSpan> ConnectTimeout = Add(new Setting<TimeSpan>("connect_timeout", SettingFormats.Duration(positive: true), TimeSpan.FromSeconds(10))
    {
        Doc = "Time allowed to open a connection: TCP connect, a proxy's tunnel and the TLS handshake; a request whose connection is not open by then fails as `connection`, whatever is left of `request_timeout`.",
        Example = "3s",
        ReportField = "connectTimeoutSeconds",
    });

    /// <summary>Opening a stage's connections before its clock starts.</summary>
    public static readonly Setting<bool> PreopenConnections = Add(new Setting<bool>("preopen_connections", SettingFormats.Bool, true, Yaml | Cli)
    {
        Doc = "Before each stage's clock starts, open the connections it will need (one per stream; for constant and poisson, `max_concurrency` "
            + "or rate × the previous stage's mean latency (1 s for the first), at most 256), so its first requests do not pay a TCP connect "
            + "and TLS handshake in their TTFT; false to let them (each request's `connectMs` says what it paid).",
        Example = "false",
    });

    /// <summary>The proxy of the target's requests.</summary>
    public static readonly Setting<ProxySetting?> Proxy = Add(new Setting<ProxySetting?>("proxy", SettingFormats.Proxy, null, Yaml)
    {
        Doc = "HTTP proxy of the target's requests (http targets asked in absolute form, https through a CONNECT tunnel), with Basic credentials "
            + "in the URL or as `username` and `password` (for example `${PROXY_PASSWORD}`; reports mask the password), or `none` to go direct. "
            + "Unset, HTTP_PROXY, HTTPS_PROXY and ALL_PROXY apply; NO_PROXY applies either way. Receivers and storage follow the environment.",
        Example = "http://proxy.corp:3128",
        DefaultTextOverride = "from the environment",
    });

    /// <summary>Microsoft Entra ID authentication of the target's requests.</summary>
    public static readonly Setting<AuthSetting?> Auth = Add(new Setting<AuthSetting?>("auth", SettingFormats.Auth, null, Yaml)
    {
        Doc = "`azure_ad`: requests carry `Authorization: Bearer` with a Microsoft Entra ID token from DefaultAzureCredential (the managed identity of "
            + "the Function App or pod, or a developer login), for `https://cognitiveservices.azure.com/.default` or the `scope` of "
            + "`{type: azure_ad, scope: URL}`. The token is got before the run (a failure fails it as \"could not get a token: ...\"), "
            + "refreshed before it expires, and never logged or reported. `none` (the default) sends `api_key` only.",
        Example = "azure_ad",
    });

    /// <summary>The pre-flight check of the model name.</summary>
    public static readonly Setting<bool> CheckModel = Add(new Setting<bool>("check_model", SettingFormats.Bool, true, Yaml | Cli)
    {
        Doc = "Before the clock, fail the target at once when its `/v1/models` lists models and `model` is not among them (the failure names those it serves); "
            + "false for servers whose list is incomplete. An unreachable target or a refused key fails the pre-flight either way.",
        Example = "false",
    });

    /// <summary>Seed of the synthetic load.</summary>
    public static readonly Setting<int> Seed = Add(new Setting<int>("seed", SettingFormats.Int(int.MinValue), 42)
    {
        Doc = "Seed of prompts, lengths and poisson arrivals, so two runs send the same load.",
        Example = "7",
    });

    /// <summary>vLLM's ignore_eos.</summary>
    public static readonly Setting<bool> IgnoreEos = Add(new Setting<bool>("ignore_eos", SettingFormats.Bool, true, Yaml | Cli)
    {
        Doc = "Send vLLM's `ignore_eos: true`, so every request produces exactly its `max_tokens`.",
        Example = "false",
    });

    /// <summary>Stages of a sweep.</summary>
    public static readonly Setting<int> SweepSize = Add(new Setting<int>("sweep_size", SettingFormats.Int(3), 10)
    {
        Doc = "Stages of a sweep, synchronous and throughput included.",
        Example = "5",
        Validate = (n, s) => s.Profile == ProfileKind.Sweep && n < 3 ? $"a sweep needs at least 3 stages, got {n}" : null,
    });

    /// <summary>TLS validation off.</summary>
    public static readonly Setting<bool> InsecureSkipVerify = Add(new Setting<bool>("tls_insecure_skip_verify", SettingFormats.Bool, false, Yaml)
    {
        Aliases = ["insecure_skip_verify"],
        Doc = "Skip TLS certificate validation (self-signed test clusters only).",
        Example = "true",
        ReportField = "insecureSkipVerify",
    });

    /// <summary>The HTTP client of the target's requests.</summary>
    public static readonly Setting<HttpClientKind> HttpClient = Add(new Setting<HttpClientKind>("http_client", SettingFormats.Choice(HttpClientKindNames.Names), HttpClientKind.Runner, Yaml | Cli)
    {
        Doc = "auto: the runner's own HTTP/1.1 client, plain for `http://` and over TLS for `https://`; httpclient: .NET's HttpClient (HTTP/2 by ALPN on `https://`).",
        Example = "httpclient",
    });

    /// <summary>Kernel receive timestamps.</summary>
    public static readonly Setting<bool> KernelTimestamps = Add(new Setting<bool>("kernel_timestamps", SettingFormats.Bool, true, Yaml | Cli)
    {
        Doc = "Stamp streamed chunks with the kernel's receive time (Linux, the runner's own client), so TTFT and ITL leave out the runner's own queueing; false stamps at the read.",
        Example = "false",
    });

    /// <summary>Where the target's own metrics are read from.</summary>
    public static readonly Setting<ServerMetricsSetting> ServerMetrics = Add(new Setting<ServerMetricsSetting>("server_metrics", ServerMetricsFormat.Format, ServerMetricsSetting.Target)
    {
        Doc = "The server's own metrics, read before and after each stage and every `interval` during it, give each stage's `server` and `clientMinusServer` (docs/metrics.md): "
            + "true reads the target's `/metrics` (its URL's scheme, host and port), a URL reads that `/metrics`, `prometheus:` queries a Prometheus-compatible API "
            + "(Prometheus, Thanos, Mimir, VictoriaMetrics) for the series `selector` picks (default `{model_name=\"<model>\"}`) and DCGM's for `gpu_selector`'s; false: none. "
            + "A server without metrics gives a section that says so; it never fails a run.",
        Example = "false",
    });

    /// <summary>Service level objectives of every request, and the attainment a stage must reach.</summary>
    public static readonly Setting<SloObjectives?> Slo = Add(new Setting<SloObjectives?>("slo", SloFormat.Format, null)
    {
        Doc = "Per-request objectives in ms (`ttft_ms` TTFT, `itl_ms` TPOT, `e2e_ms` end-to-end; a request conforms when it meets all it is given) and `attainment`, "
            + "the share of conforming requests a stage must reach; each stage reports `summary.slo` (attainment, goodput, met). Needed by the capacity profile.",
        Example = "ttft_ms=500,itl_ms=50,attainment=0.95",
        Validate = (slo, s) => s.Profile == ProfileKind.Capacity && slo is null
            ? "profile capacity needs an slo (for example slo: {ttft_ms: 500, attainment: 0.99}): the capacity is the highest load whose stage meets it"
            : null,
    });

    /// <summary>The load a capacity search varies.</summary>
    public static readonly Setting<Capacity.CapacityBy> CapacityBy = Add(new Setting<Capacity.CapacityBy>("capacity_by", SettingFormats.Choice(Capacity.CapacityByNames.Names), Capacity.CapacityBy.Concurrency)
    {
        Doc = "What the capacity profile varies: concurrency (streams back to back, closed loop) or rate (req/s at constant intervals, open loop). `rate` is the first probe's load; each probe lasts `max_seconds`.",
        Example = "rate",
        Validate = (by, s) => s.Profile == ProfileKind.Capacity && by == Capacity.CapacityBy.Concurrency && s.Rate != Math.Floor(s.Rate)
            ? $"capacity_by concurrency starts at rate streams, a whole number, got {s.Rate}"
            : null,
    });

    /// <summary>When a capacity search stops bisecting.</summary>
    public static readonly Setting<double> CapacityTolerance = Add(new Setting<double>("capacity_tolerance", SettingFormats.Number(0, exclusiveMin: true), 0.1)
    {
        Doc = "A capacity search stops bisecting once the lowest failing load is within this share above the highest passing one (concurrency: or 1 stream).",
        Example = "0.05",
        Validate = (t, _) => t >= 1 ? $"must be below 1 (a share: 0.1 for 10%), got {t}" : null,
    });

    /// <summary>Cap on a capacity search's probes.</summary>
    public static readonly Setting<int> CapacityMaxProbes = Add(new Setting<int>("capacity_max_probes", SettingFormats.Int(1), 12)
    {
        Doc = "Probes (stages) a capacity search runs at most; with `max_seconds` it bounds the search's time.",
        Example = "6",
    });

    /// <summary>A pinned baseline run.</summary>
    public static readonly Setting<string?> BaselineRunId = Add(new Setting<string?>("baseline_run_id", SettingFormats.OptionalText("a run id", id => Load.RunIds.IsValid(id) ? null : $"'{id}' is not a run id: 1-128 letters, digits, '-', '_' or '.'"), null)
    {
        Doc = "The run the verdict compares with; by default the newest earlier completed run of the same environment, target, model and effective config.",
        Example = "20261128T020000Z-1a2b3c4d",
    });

    /// <summary>The smallest change a verdict calls a regression or an improvement.</summary>
    public static readonly Setting<double> RegressionThreshold = Add(new Setting<double>("regression_threshold", SettingFormats.Number(0, exclusiveMin: true), 0.05)
    {
        Doc = "A verdict metric is regressed or improved only when its confidence interval excludes no change and the change exceeds this share.",
        Example = "0.1",
        Validate = (t, _) => t >= 1 ? $"must be below 1 (a share: 0.05 for 5%), got {t}" : null,
    });

    /// <summary>Every setting, in merge order.</summary>
    public static IReadOnlyList<Setting> All => Entries;

    /// <summary>The setting a YAML key names (any spelling, aliases included), or null.</summary>
    public static Setting? FindByKey(string key) => Entries.FirstOrDefault(s => s.IsNamed(key));

    /// <summary>The setting a queue message's override key names (case-insensitive), or null.</summary>
    public static Setting? FindByOverrideKey(string key) =>
        Entries.FirstOrDefault(s => s.OverrideKey is { } k && string.Equals(k, key, StringComparison.OrdinalIgnoreCase));

    /// <summary>The settings given in <paramref name="channel"/>.</summary>
    public static IEnumerable<Setting> In(SettingChannels channel) => Entries.Where(s => s.Channels.HasFlag(channel));

    internal static object?[] Defaults() => [.. Entries.Select(s => s.DefaultValue)];

    private static Setting<T> Add<T>(Setting<T> setting)
    {
        setting.Index = Entries.Count;
        Entries.Add(setting);
        return setting;
    }
}
