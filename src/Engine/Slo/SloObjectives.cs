using System.Globalization;
using GuidellmFunctions.Engine.Client;

namespace GuidellmFunctions.Engine.Slo;

/// <summary>
/// The <c>slo:</c> setting: per-request objectives and the share of requests of a stage that must meet them. A request
/// conforms when it meets every objective given (the request-level definition vLLM's <c>--goodput</c>, aiperf and
/// guidellm share); see docs/metrics.md.
/// </summary>
/// <param name="TtftMs">Time to first token at most, in ms; null when not an objective.</param>
/// <param name="ItlMs">Time per output token (TPOT) at most, in ms; null when not an objective.</param>
/// <param name="E2eMs">End-to-end latency at most, in ms; null when not an objective.</param>
/// <param name="Attainment">Share of evaluated requests that must conform, in (0, 1].</param>
public sealed record SloObjectives(double? TtftMs, double? ItlMs, double? E2eMs, double Attainment = SloObjectives.DefaultAttainment)
{
    /// <summary>The attainment target when <c>slo:</c> names none.</summary>
    public const double DefaultAttainment = 0.99;

    /// <summary>The keys <c>slo:</c> accepts, as written in YAML.</summary>
    public static IReadOnlyList<string> Keys { get; } = ["ttft_ms", "itl_ms", "e2e_ms", "attainment"];

    /// <summary>
    /// How <paramref name="result"/> stands against the objectives: failed requests do not conform, incomplete ones are
    /// not evaluated, and a request with one output token or fewer is not held to <see cref="ItlMs"/>.
    /// </summary>
    public SloOutcome Evaluate(RequestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Status switch
        {
            RequestStatus.Incomplete => SloOutcome.NotEvaluated,
            RequestStatus.Failed => SloOutcome.NotConforming,
            _ => Meets(result.TtftMs, result.TpotMs, result.E2eMs) ? SloOutcome.Conforming : SloOutcome.NotConforming,
        };
    }

    /// <summary>
    /// True when a successful request with these figures meets every objective. A request without a first token misses
    /// a TTFT objective; one without a TPOT (one output token or fewer) is not held to the ITL objective.
    /// </summary>
    public bool Meets(double? ttftMs, double? tpotMs, double e2eMs) =>
        (TtftMs is not { } ttft || ttftMs <= ttft)
        && (ItlMs is not { } itl || tpotMs is not { } tpot || tpot <= itl)
        && (E2eMs is not { } e2e || e2eMs <= e2e);

    /// <summary>
    /// Reads <c>key=value</c> pairs (keys in any spelling: <c>ttft_ms</c>, <c>ttftMs</c>); every problem is reported to
    /// <paramref name="error"/> with the key it concerns. Null when any pair is wrong.
    /// </summary>
    public static SloObjectives? FromPairs(IEnumerable<(string Key, string Value)> pairs, Action<string, string> error)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(error);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var ok = true;
        foreach (var (key, text) in pairs)
        {
            var known = Keys.FirstOrDefault(k => Normalize(k) == Normalize(key));
            if (known is null)
            {
                error(key, $"unknown slo key '{key}' (known: {string.Join(", ", Keys)})");
                ok = false;
                continue;
            }

            if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                error(key, $"slo {known} must be a number, got '{text}'");
                ok = false;
            }
            else if (known == "attainment" ? value is <= 0 or > 1 : value <= 0)
            {
                error(key, known == "attainment"
                    ? $"slo attainment must be in (0, 1] (a share of requests, 0.99 for 99%), got '{text}'"
                    : $"slo {known} must be a number > 0 (milliseconds), got '{text}'");
                ok = false;
            }
            else
            {
                values[known] = value;
            }
        }

        if (!ok)
        {
            return null;
        }

        if (!values.Keys.Any(k => k != "attainment"))
        {
            error(string.Empty, "slo needs at least one objective: ttft_ms, itl_ms or e2e_ms");
            return null;
        }

        return new SloObjectives(
            values.TryGetValue("ttft_ms", out var t) ? t : null,
            values.TryGetValue("itl_ms", out var i) ? i : null,
            values.TryGetValue("e2e_ms", out var e) ? e : null,
            values.TryGetValue("attainment", out var a) ? a : DefaultAttainment);
    }

    /// <summary>The objectives as a config would write them on one line (<c>ttft_ms=500,itl_ms=50,attainment=0.99</c>).</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        void Add(string key, double? value)
        {
            if (value is { } v)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{key}={v}"));
            }
        }

        Add("ttft_ms", TtftMs);
        Add("itl_ms", ItlMs);
        Add("e2e_ms", E2eMs);
        Add("attainment", Attainment);
        return string.Join(',', parts);
    }

    private static string Normalize(string key) => Configuration.Reading.YamlValues.Normalize(key);
}
