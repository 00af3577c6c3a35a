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
    /// <summary>guidellm's and the Go runner's default: 256 prompt tokens, 128 output tokens.</summary>
    public static DataSpec Default { get; } = new(new TokenDistribution(256), new TokenDistribution(128));

    private static readonly string[] KnownKeys =
    [
        "prompt_tokens", "prompt_tokens_stdev", "prompt_tokens_min", "prompt_tokens_max",
        "output_tokens", "output_tokens_stdev", "output_tokens_min", "output_tokens_max",
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
        return errors.Count == before ? new DataSpec(prompt, output, tokenizer) : null;
    }

    /// <summary>Renders the spec back in guidellm's string form.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        Append(parts, "prompt_tokens", PromptTokens);
        Append(parts, "output_tokens", OutputTokens);
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
