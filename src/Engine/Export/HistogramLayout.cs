using System.Globalization;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// The classic bucket boundaries of each histogram family: <see cref="MetricFamily.Buckets"/> unless the config's
/// <c>buckets:</c> section names the family (by its key: <c>ttft</c>, <c>itl</c>, <c>tpot</c>, <c>e2e_latency</c>,
/// <c>dispatch_delay</c>) with a list of boundaries or a layout name (<c>fine</c>, <c>go_runner</c>).
/// </summary>
public sealed class HistogramLayout
{
    /// <summary>Most boundaries one family may have (each is a series per target).</summary>
    public const int MaxBounds = 500;

    /// <summary>The layout name of the default, fine boundaries.</summary>
    public const string Fine = "fine";

    /// <summary>The layout name of the Go runner's boundaries (what dashboards written for it were tuned to).</summary>
    public const string GoRunner = "go_runner";

    private readonly Dictionary<string, IReadOnlyList<double>> _overrides;

    /// <summary>Creates a layout with <paramref name="overrides"/> by family key; throws naming every problem.</summary>
    public HistogramLayout(IReadOnlyDictionary<string, IReadOnlyList<double>> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var problems = overrides.SelectMany(o => Problems(o.Key, o.Value)).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(overrides));
        }

        _overrides = new Dictionary<string, IReadOnlyList<double>>(overrides, StringComparer.Ordinal);
    }

    /// <summary>The histogram families, by key.</summary>
    public static IReadOnlyDictionary<string, MetricFamily> Families { get; } =
        RunnerMetrics.All.Where(f => f.Type == MetricKind.Histogram).ToDictionary(KeyOf, f => f, StringComparer.Ordinal);

    /// <summary>Every family at its default boundaries.</summary>
    public static HistogramLayout Default { get; } = new(new Dictionary<string, IReadOnlyList<double>>());

    /// <summary>The key of <paramref name="family"/> in <c>buckets:</c>: its name without <c>guidellm_</c> and <c>_seconds</c>.</summary>
    public static string KeyOf(MetricFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        var key = family.Name.StartsWith("guidellm_", StringComparison.Ordinal) ? family.Name["guidellm_".Length..] : family.Name;
        return key.EndsWith("_seconds", StringComparison.Ordinal) ? key[..^"_seconds".Length] : key;
    }

    /// <summary>The boundaries of <paramref name="family"/>.</summary>
    public IReadOnlyList<double> For(MetricFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        return _overrides.TryGetValue(KeyOf(family), out var bounds) ? bounds : family.Buckets ?? throw new ArgumentException($"{family.Name} is not a histogram", nameof(family));
    }

    /// <summary>The boundaries a layout name stands for, for the family <paramref name="key"/>; null when the name is unknown.</summary>
    public static IReadOnlyList<double>? Named(string key, string name)
    {
        if (!Families.TryGetValue(key, out var family))
        {
            return null;
        }

        return name switch
        {
            Fine => family.Buckets,
            GoRunner when family == RunnerMetrics.Ttft || family == RunnerMetrics.Ttfo => BucketLayouts.GoRunnerTtft,
            GoRunner when family == RunnerMetrics.Itl || family == RunnerMetrics.Tpot => BucketLayouts.GoRunnerItl,
            GoRunner when family == RunnerMetrics.E2e => BucketLayouts.GoRunnerE2e,
            GoRunner => family.Buckets,
            _ => null,
        };
    }

    /// <summary>What is wrong with <paramref name="bounds"/> as the boundaries of the family <paramref name="key"/>; empty when nothing is.</summary>
    public static IReadOnlyList<string> Problems(string key, IReadOnlyList<double>? bounds)
    {
        var problems = new List<string>();
        if (!Families.ContainsKey(key ?? string.Empty))
        {
            problems.Add($"unknown histogram '{key}' (one of {string.Join(", ", Families.Keys)})");
        }

        if (bounds is null || bounds.Count == 0)
        {
            problems.Add($"{key}: no bucket boundaries");
            return problems;
        }

        if (bounds.Count > MaxBounds)
        {
            problems.Add($"{key}: {bounds.Count} bucket boundaries, at most {MaxBounds}");
        }

        for (var i = 0; i < bounds.Count; i++)
        {
            if (!double.IsFinite(bounds[i]) || bounds[i] <= 0)
            {
                problems.Add($"{key}: boundary {bounds[i].ToString(CultureInfo.InvariantCulture)} is not a positive number of seconds");
            }
            else if (i > 0 && bounds[i] <= bounds[i - 1])
            {
                problems.Add($"{key}: boundaries must be ascending ({bounds[i - 1].ToString(CultureInfo.InvariantCulture)} then {bounds[i].ToString(CultureInfo.InvariantCulture)})");
            }
        }

        return problems;
    }
}
