using System.Globalization;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// Synthetic data specification, written as guidellm's <c>data_spec</c> string
/// (<c>prompt_tokens=256,output_tokens=128</c>) or as a YAML mapping with the same keys.
/// </summary>
/// <param name="PromptTokens">Prompt length in tokens.</param>
/// <param name="OutputTokens">Output length in tokens (sent as <c>max_tokens</c>).</param>
/// <param name="Tokenizer">Tokenizer named by the spec, recorded only; prompts are sized with cl100k_base.</param>
public sealed record DataSpec(TokenDistribution PromptTokens, TokenDistribution OutputTokens, string? Tokenizer = null)
{
    /// <summary>Tokens of the shared prefix each prompt starts with (guidellm's <c>prefix_tokens</c>); 0 for none.</summary>
    public int PrefixTokens { get; init; }

    /// <summary>Distinct shared prefixes (guidellm's <c>prefix_count</c>); request i starts with prefix i mod count.</summary>
    public int PrefixCount { get; init; } = 1;

    /// <summary>Turns per conversation (<c>turns</c>); 1 sends single requests.</summary>
    public int Turns { get; init; } = 1;

    /// <summary>guidellm's and the Go runner's default: 256 prompt tokens, 128 output tokens.</summary>
    public static DataSpec Default { get; } = new(new TokenDistribution(256), new TokenDistribution(128));

    private static readonly string[] KnownKeys =
    [
        "prompt_tokens", "prompt_tokens_stdev", "prompt_tokens_min", "prompt_tokens_max",
        "output_tokens", "output_tokens_stdev", "output_tokens_min", "output_tokens_max",
        "prefix_tokens", "prefix_count", "turns",
        "type", "tokenizer", "samples", "source",
    ];

    /// <summary>Parses <c>key=value,key=value</c>; problems are added to <paramref name="errors"/>.</summary>
    public static DataSpec? Parse(string text, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(errors);
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                errors.Add($"'{part}' is not key=value");
                continue;
            }

            pairs[part[..eq].Trim().ToLowerInvariant()] = part[(eq + 1)..].Trim();
        }

        return FromPairs(pairs, errors);
    }

    /// <summary>Builds a spec from already split pairs; problems are added to <paramref name="errors"/>.</summary>
    public static DataSpec? FromPairs(IReadOnlyDictionary<string, string> pairs, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(errors);
        var before = errors.Count;
        foreach (var key in pairs.Keys)
        {
            if (Array.IndexOf(KnownKeys, key) < 0)
            {
                errors.Add($"unknown data_spec key '{key}' (known: {string.Join(", ", KnownKeys)})");
            }
        }

        if (pairs.TryGetValue("type", out var type) && !string.Equals(type, "emulated", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"data_spec type '{type}' is not supported; only synthetic 'emulated' data is");
        }

        var prompt = ReadDistribution(pairs, "prompt_tokens", Default.PromptTokens.Mean, errors);
        var output = ReadDistribution(pairs, "output_tokens", Default.OutputTokens.Mean, errors);
        pairs.TryGetValue("tokenizer", out var tokenizer);
        var prefixTokens = ReadInt(pairs, "prefix_tokens", errors);
        var prefixCount = ReadInt(pairs, "prefix_count", errors);
        if (prefixCount is not null && prefixTokens is null)
        {
            errors.Add("prefix_count needs prefix_tokens (the length of each shared prefix)");
        }

        var turns = ReadInt(pairs, "turns", errors);
        return errors.Count == before
            ? new DataSpec(prompt, output, tokenizer) { PrefixTokens = prefixTokens ?? 0, PrefixCount = prefixCount ?? 1, Turns = turns ?? 1 }
            : null;
    }

    /// <summary>Renders the spec back in guidellm's string form.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        Append(parts, "prompt_tokens", PromptTokens);
        Append(parts, "output_tokens", OutputTokens);
        if (PrefixTokens > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"prefix_tokens={PrefixTokens},prefix_count={PrefixCount}"));
        }

        if (Turns > 1)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"turns={Turns}"));
        }

        return string.Join(',', parts);
    }

    private static void Append(List<string> parts, string name, TokenDistribution d)
    {
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name}={d.Mean}"));
        if (d.StdDev > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name}_stdev={d.StdDev}"));
        }

        if (d.Min is { } min)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name}_min={min}"));
        }

        if (d.Max is { } max)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name}_max={max}"));
        }
    }

    private static TokenDistribution ReadDistribution(IReadOnlyDictionary<string, string> pairs, string name, int fallback, List<string> errors)
    {
        var mean = ReadInt(pairs, name, errors) ?? fallback;
        var stdev = 0.0;
        if (pairs.TryGetValue(name + "_stdev", out var s))
        {
            if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out stdev) || stdev < 0)
            {
                errors.Add($"{name}_stdev must be a number >= 0, got '{s}'");
            }
        }

        var min = ReadInt(pairs, name + "_min", errors);
        var max = ReadInt(pairs, name + "_max", errors);
        if (min is { } lo && max is { } hi && lo > hi)
        {
            errors.Add($"{name}_min ({lo}) is greater than {name}_max ({hi})");
        }

        return new TokenDistribution(mean, stdev, min, max);
    }

    private static int? ReadInt(IReadOnlyDictionary<string, string> pairs, string key, List<string> errors)
    {
        if (!pairs.TryGetValue(key, out var text))
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 1)
        {
            return value;
        }

        errors.Add($"{key} must be a whole number >= 1, got '{text}'");
        return null;
    }
}
