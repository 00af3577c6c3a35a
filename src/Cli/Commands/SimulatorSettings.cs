using System.CommandLine;
using GuidellmFunctions.Simulator;
using GuidellmFunctions.Simulator.Faults;
using GuidellmFunctions.Simulator.Metrics;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>
/// The simulated server's settings on the command line, shared by <c>simulate</c> and <c>demo</c>: the engine's costs and
/// capacities, its metric names and its faults. Defaults are <see cref="SimulatorOptions.Gpu8B"/>.
/// </summary>
internal sealed class SimulatorSettings
{
    private static readonly SimulatorOptions Defaults = SimulatorOptions.Gpu8B;

    private readonly Option<string> _model = new("--model") { Description = "Model served", DefaultValueFactory = _ => Defaults.Model };
    private readonly Option<double> _ttft = new("--ttft-ms") { Description = "Fixed part of the time to first token, per request, beside the engine's steps", DefaultValueFactory = _ => Defaults.TtftMs };
    private readonly Option<double> _prefill = new("--prefill-ms-per-token") { Description = "Prefill time per prompt token not in the prefix cache, inside the engine's steps (delays every decoding request)", DefaultValueFactory = _ => Defaults.PrefillMsPerToken };
    private readonly Option<double> _itl = new("--itl-ms") { Description = "Decode step time with one request decoding", DefaultValueFactory = _ => Defaults.ItlMs };
    private readonly Option<double> _itlLoad = new("--itl-load-factor") { Description = "A decode step lasts ITL × (1 + factor × (decoding − 1) / max batch)", DefaultValueFactory = _ => Defaults.ItlLoadFactor };
    private readonly Option<int> _outputTokens = new("--output-tokens") { Description = "Natural output length (EOS) when a request does not set ignore_eos", DefaultValueFactory = _ => Defaults.OutputTokens };
    private readonly Option<int> _perChunk = new("--tokens-per-chunk") { Description = "Tokens per streamed chunk (and per decode step)", DefaultValueFactory = _ => Defaults.TokensPerChunk };
    private readonly Option<int> _maxBatch = new("--max-batch") { Description = "Requests running at once (vLLM max_num_seqs); the rest wait", DefaultValueFactory = _ => Defaults.MaxBatch };
    private readonly Option<int> _budget = new("--max-batched-tokens") { Description = "Tokens per engine step, decode and prefill chunks (vLLM max_num_batched_tokens); 0 for no limit", DefaultValueFactory = _ => Defaults.MaxBatchedTokens };
    private readonly Option<int> _kv = new("--kv-cache-tokens") { Description = "KV cache capacity in tokens: what does not fit waits, decoding past it preempts; 0 for no limit (and no prefix cache)", DefaultValueFactory = _ => Defaults.KvCacheTokens };
    private readonly Option<int> _blockSize = new("--block-size") { Description = "Tokens per KV block (the prefix cache's unit)", DefaultValueFactory = _ => Defaults.BlockSize };
    private readonly Option<bool> _prefixCaching = new("--prefix-caching") { Description = "Reuse cached blocks of shared prompt prefixes (needs --kv-cache-tokens); on by default, --prefix-caching false turns it off", DefaultValueFactory = _ => Defaults.PrefixCaching };
    private readonly Option<int?> _maxModelLen = new("--max-model-len") { Description = $"Longest prompt + output served; longer requests get a 400 (default {SimulatorOptions.DefaultMaxModelLen}, or the KV cache when smaller)" };
    private readonly Option<string> _names = new("--metrics-names") { Description = "/metrics names: v1 (current vLLM) or legacy (vLLM v0 engine: gpu_cache_usage_perc, gpu_prefix_cache_hit_rate, time_per_output_token_seconds)", DefaultValueFactory = _ => "v1" };
    private readonly Option<int> _reasoning = new("--reasoning-tokens") { Description = "A reasoning model: the first N output tokens of a chat answer stream as delta.reasoning, the rest as content", DefaultValueFactory = _ => Defaults.ReasoningTokens };
    private readonly Option<string[]> _faults = new("--fault") { Description = $"KIND=RATE, repeatable; kinds: {FaultRule.Kinds}" };
    private readonly Option<double> _stall = new("--stall-seconds") { Description = "Length of stall and slow_headers faults", DefaultValueFactory = _ => Defaults.StallTime.TotalSeconds };
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of fault draws", DefaultValueFactory = _ => Defaults.Seed };

    public SimulatorSettings()
    {
        _names.AcceptOnlyFromAmong("v1", "legacy");
    }

    /// <summary>Adds every setting to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[_model, _ttft, _prefill, _itl, _itlLoad, _outputTokens, _perChunk, _maxBatch, _budget, _kv, _blockSize, _prefixCaching, _maxModelLen, _names, _reasoning, _faults, _stall, _seed])
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The options <paramref name="parse"/> asks for, on top of <paramref name="start"/>; every problem goes to <paramref name="errors"/>.</summary>
    public SimulatorOptions Bind(ParseResult parse, SimulatorOptions start, List<string> errors)
    {
        var rules = new List<FaultRule>();
        foreach (var text in parse.GetValue(_faults) ?? [])
        {
            try
            {
                rules.Add(FaultRule.Parse(text));
            }
            catch (FormatException ex)
            {
                errors.Add(ex.Message);
            }
        }

        var options = start with
        {
            Model = parse.GetValue(_model)!,
            TtftMs = parse.GetValue(_ttft),
            PrefillMsPerToken = parse.GetValue(_prefill),
            ItlMs = parse.GetValue(_itl),
            ItlLoadFactor = parse.GetValue(_itlLoad),
            OutputTokens = parse.GetValue(_outputTokens),
            TokensPerChunk = parse.GetValue(_perChunk),
            MaxBatch = parse.GetValue(_maxBatch),
            MaxBatchedTokens = parse.GetValue(_budget),
            KvCacheTokens = parse.GetValue(_kv),
            BlockSize = parse.GetValue(_blockSize),
            PrefixCaching = parse.GetValue(_prefixCaching),
            MaxModelLen = parse.GetValue(_maxModelLen),
            MetricsNames = parse.GetValue(_names) == "legacy" ? MetricsNaming.Legacy : MetricsNaming.V1,
            ReasoningTokens = parse.GetValue(_reasoning),
            Faults = rules,
            StallTime = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(_stall))),
            Seed = parse.GetValue(_seed),
        };
        errors.AddRange(options.Validate());
        return options;
    }

    /// <summary>One line naming what the simulator will do, for the console.</summary>
    public static string Describe(SimulatorOptions options) =>
        FormattableString.Invariant($"TTFT {options.TtftMs} ms + {options.PrefillMsPerToken} ms/prompt token, ITL {options.ItlMs} ms (×{1 + options.ItlLoadFactor} at a full batch of {options.MaxBatch}), ")
        + (options.KvCacheTokens > 0 ? FormattableString.Invariant($"KV cache {options.KvCacheTokens} tokens{(options.PrefixCaching ? " with prefix caching" : string.Empty)}") : "no KV limit")
        + (options.MetricsNames == MetricsNaming.Legacy ? ", legacy metric names" : string.Empty);
}
