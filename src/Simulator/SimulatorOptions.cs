using System.Globalization;
using GuidellmFunctions.Simulator.Faults;
using GuidellmFunctions.Simulator.Metrics;

namespace GuidellmFunctions.Simulator;

/// <summary>
/// How the simulated server behaves. The server runs vLLM's way: one engine loop of steps, each decoding a token for
/// every running request and prefilling prompt tokens within a budget (see README, "The simulator"). The defaults of a
/// new instance are an ideal server: the prefill costs <see cref="TtftMs"/> whatever the prompt, no step budget, no KV
/// limit (so neither prefix caching nor preemption), which keeps TTFT and ITL exactly as set. <see cref="Gpu8B"/> is an
/// 8B model on one GPU, what <c>simulate</c> and <c>demo</c> serve by default.
/// </summary>
public sealed record SimulatorOptions
{
    /// <summary>Llama 3.1 8B's context window, the model length when none is set and the KV budget allows it.</summary>
    public const int DefaultMaxModelLen = 131_072;

    /// <summary>
    /// An 8B model (bf16) served by vLLM on one 80 GB H100-class GPU, roughly: 15 ms fixed to the first token plus
    /// 0.03 ms per uncached prompt token (about 33,000 prompt tokens/s), 7 ms per decode step alone growing to about
    /// 28 ms with 256 requests decoding, 256 requests at once, 8,192 tokens per step (chunked prefill), and a KV cache
    /// of 400,000 tokens (72 GB at 0.9 utilisation, less 16 GB of weights and some activations, at 128 KiB per token)
    /// in blocks of 16 with prefix caching.
    /// </summary>
    public static SimulatorOptions Gpu8B { get; } = new()
    {
        TtftMs = 15,
        PrefillMsPerToken = 0.03,
        ItlMs = 7,
        ItlLoadFactor = 3,
        MaxBatch = 256,
        MaxBatchedTokens = 8192,
        KvCacheTokens = 400_000,
        BlockSize = 16,
        PrefixCaching = true,
    };

    /// <summary>Port to listen on (0 picks a free one).</summary>
    public int Port { get; init; }

    /// <summary>Address to bind; loopback by default.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The one model served (<c>model_name</c> on /metrics).</summary>
    public string Model { get; init; } = "simulated/llama-3.1-8b-instruct";

    /// <summary>
    /// Fixed part of the time to the first token: from admission into the running batch until the request's prefill can
    /// run (the server's own work per request and the prefill pass's fixed cost). It does not hold the engine: other
    /// requests keep decoding meanwhile.
    /// </summary>
    public double TtftMs { get; init; } = 100;

    /// <summary>
    /// Prefill time per prompt token not found in the prefix cache. It is spent inside engine steps, so it delays the next
    /// token of every request decoding in the same step, as continuous batching does.
    /// </summary>
    public double PrefillMsPerToken { get; init; }

    /// <summary>Decode step time with one request decoding (its inter-token latency).</summary>
    public double ItlMs { get; init; } = 10;

    /// <summary>How much a decode step slows with a full batch: ITL × (1 + factor × (decoding − 1) / <see cref="MaxBatch"/>).</summary>
    public double ItlLoadFactor { get; init; } = 0.5;

    /// <summary>Natural output length, used when the request sets no max_tokens or does not ask to ignore EOS.</summary>
    public int OutputTokens { get; init; } = 128;

    /// <summary>Tokens per streamed chunk: a decode step makes this many tokens per request and lasts as many times ITL.</summary>
    public int TokensPerChunk { get; init; } = 1;

    /// <summary>Requests in the running batch at most (vLLM's <c>max_num_seqs</c>); the rest wait.</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>
    /// Tokens one engine step processes at most, decode tokens and prefill chunks together (vLLM's
    /// <c>max_num_batched_tokens</c>, chunked prefill); 0 for no limit (a prompt is prefilled in one step).
    /// </summary>
    public int MaxBatchedTokens { get; init; }

    /// <summary>
    /// KV cache capacity in tokens (vLLM's <c>num_gpu_blocks</c> × block size); 0 for no limit. With a limit, requests
    /// whose sequence does not fit wait, decoding past it preempts the newest running requests, and the prefix cache
    /// keeps freed blocks until their space is needed.
    /// </summary>
    public int KvCacheTokens { get; init; }

    /// <summary>Tokens per KV block, the unit of allocation and of prefix caching (vLLM's default 16).</summary>
    public int BlockSize { get; init; } = 16;

    /// <summary>Reuse cached blocks of identical prompt prefixes (vLLM's automatic prefix caching); needs a <see cref="KvCacheTokens"/> limit.</summary>
    public bool PrefixCaching { get; init; } = true;

    /// <summary>
    /// Longest sequence (prompt + output) served (vLLM's <c>max_model_len</c>); longer requests get a 400. Null for
    /// <see cref="DefaultMaxModelLen"/>, or the KV capacity when smaller.
    /// </summary>
    public int? MaxModelLen { get; init; }

    /// <summary>
    /// A reasoning model: the first this many output tokens of a chat answer stream as <c>delta.reasoning</c> (vLLM with a
    /// reasoning parser), the rest as content, and the usage reports them in <c>completion_tokens_details.reasoning_tokens</c>.
    /// </summary>
    public int ReasoningTokens { get; init; }

    /// <summary>Metric names on /metrics: the current vLLM's (v1 engine) or the older ones (v0 engine).</summary>
    public MetricsNaming MetricsNames { get; init; } = MetricsNaming.V1;

    /// <summary>Stall length for the stall and slow_headers faults.</summary>
    public TimeSpan StallTime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Faults to inject.</summary>
    public IReadOnlyList<FaultRule> Faults { get; init; } = [];

    /// <summary>Seed of the fault draws.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>When set, requests must carry <c>Authorization: Bearer</c> with this key.</summary>
    public string? ApiKey { get; init; }

    /// <summary>When set, requests must carry <c>Authorization: Bearer</c> with a token this accepts (an identity provider's stand-in checks it).</summary>
    public Func<string, bool>? AcceptToken { get; init; }

    /// <summary>True when <paramref name="authorization"/> (the header as sent) passes <see cref="ApiKey"/> and <see cref="AcceptToken"/>.</summary>
    internal bool Authorized(string authorization) =>
        (ApiKey is not { Length: > 0 } key || authorization == "Bearer " + key)
        && (AcceptToken is null || (authorization.StartsWith("Bearer ", StringComparison.Ordinal) && AcceptToken(authorization["Bearer ".Length..])));

    /// <summary>Ground-truth records kept for tests (oldest dropped beyond this).</summary>
    public int GroundTruthCapacity { get; init; } = 100_000;

    /// <summary>Count prompt tokens with cl100k_base (true) or estimate them as bytes / 4 (false, cheaper).</summary>
    public bool CountPromptTokens { get; init; } = true;

    /// <summary>
    /// Serve <c>https</c> with a self-signed certificate made at start (<see cref="Tls.SelfSignedCertificate"/>), offering
    /// HTTP/1.1 and HTTP/2; clients must skip verification.
    /// </summary>
    public bool Tls { get; init; }

    /// <summary>The KV cache in whole blocks (0 without a limit).</summary>
    public int KvCacheBlocks => KvCacheTokens > 0 && BlockSize > 0 ? KvCacheTokens / BlockSize : 0;

    /// <summary>The longest sequence served: <see cref="MaxModelLen"/>, else the default capped by the KV capacity.</summary>
    public int EffectiveMaxModelLen => MaxModelLen ?? (KvCacheBlocks > 0 ? Math.Min(DefaultMaxModelLen, KvCacheBlocks * BlockSize) : DefaultMaxModelLen);

    /// <summary>Every problem with these options, each naming the setting; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void NonNegative(string name, double value)
        {
            if (!double.IsFinite(value) || value < 0)
            {
                errors.Add(Invariant($"{name} must be a finite number of at least 0 (got {value})"));
            }
        }

        void AtLeast(string name, long value, long min)
        {
            if (value < min)
            {
                errors.Add(Invariant($"{name} must be at least {min} (got {value})"));
            }
        }

        if (Port is < 0 or > 65535)
        {
            errors.Add(Invariant($"port must be between 0 and 65535 (got {Port})"));
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            errors.Add("model must not be empty");
        }

        NonNegative("ttft-ms", TtftMs);
        NonNegative("prefill-ms-per-token", PrefillMsPerToken);
        NonNegative("itl-ms", ItlMs);
        NonNegative("itl-load-factor", ItlLoadFactor);
        AtLeast("output-tokens", OutputTokens, 1);
        AtLeast("tokens-per-chunk", TokensPerChunk, 1);
        AtLeast("max-batch", MaxBatch, 1);
        AtLeast("max-batched-tokens", MaxBatchedTokens, 0);
        AtLeast("kv-cache-tokens", KvCacheTokens, 0);
        AtLeast("block-size", BlockSize, 1);
        AtLeast("reasoning-tokens", ReasoningTokens, 0);
        AtLeast("ground-truth capacity", GroundTruthCapacity, 0);
        if (MaxBatchedTokens > 0 && MaxBatchedTokens < Math.Max(MaxBatch, TokensPerChunk))
        {
            errors.Add(Invariant($"max-batched-tokens ({MaxBatchedTokens}) must be at least max-batch ({MaxBatch}), as vLLM requires, and tokens-per-chunk ({TokensPerChunk}), or 0 for no limit"));
        }

        if (KvCacheTokens > 0 && BlockSize > 0 && KvCacheTokens < BlockSize)
        {
            errors.Add(Invariant($"kv-cache-tokens ({KvCacheTokens}) must hold at least one block of {BlockSize} tokens"));
        }

        if (MaxModelLen is { } len)
        {
            AtLeast("max-model-len", len, 2);
            if (KvCacheBlocks > 0 && len > KvCacheBlocks * BlockSize)
            {
                errors.Add(Invariant($"max-model-len ({len}) is larger than the KV cache ({KvCacheBlocks * BlockSize} tokens): one request could never fit, as vLLM refuses at start"));
            }
        }

        if (StallTime < TimeSpan.Zero)
        {
            errors.Add("stall time must not be negative");
        }

        if (Faults.Sum(f => f.Rate) > 1.0 + 1e-9)
        {
            errors.Add(Invariant($"fault rates add up to {Faults.Sum(f => f.Rate)}, more than 1"));
        }

        return errors;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
