using GuidellmFunctions.Engine.ServerMetrics.Exposition;

namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>
/// A server's samples at one moment, grouped by name, narrowed to the target's model: when any series carries
/// <c>model_name</c> equal to it, series naming another model are left out (a router or a server of several models).
/// </summary>
internal sealed class MetricSnapshot
{
    private readonly Dictionary<string, List<ExpositionSample>> _byName;

    private MetricSnapshot(Dictionary<string, List<ExpositionSample>> byName) => _byName = byName;

    /// <summary>An empty snapshot (a server that has exposed nothing yet).</summary>
    public static MetricSnapshot Empty { get; } = new(new Dictionary<string, List<ExpositionSample>>(StringComparer.Ordinal));

    /// <summary>Names present.</summary>
    public IEnumerable<string> Names => _byName.Keys;

    /// <summary>The snapshot of <paramref name="samples"/> for <paramref name="model"/> (every series when null).</summary>
    public static MetricSnapshot From(IEnumerable<ExpositionSample> samples, string? model)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var all = samples as IReadOnlyCollection<ExpositionSample> ?? [.. samples];
        var narrow = model is not null && all.Any(s => string.Equals(s.Label("model_name"), model, StringComparison.Ordinal));
        var byName = new Dictionary<string, List<ExpositionSample>>(StringComparer.Ordinal);
        foreach (var sample in all)
        {
            if (narrow && sample.Label("model_name") is { } other && !string.Equals(other, model, StringComparison.Ordinal))
            {
                continue;
            }

            if (!byName.TryGetValue(sample.Name, out var list))
            {
                byName[sample.Name] = list = [];
            }

            list.Add(sample);
        }

        return new MetricSnapshot(byName);
    }

    /// <summary>True when a sample of <paramref name="name"/> is present.</summary>
    public bool Has(string name) => _byName.ContainsKey(name);

    /// <summary>The samples of <paramref name="name"/>.</summary>
    public IReadOnlyList<ExpositionSample> Samples(string name) => _byName.TryGetValue(name, out var list) ? list : [];

    /// <summary>The sum over the series of <paramref name="name"/> that <paramref name="where"/> accepts; null when there is none.</summary>
    public double? Sum(string name, Func<ExpositionSample, bool>? where = null)
    {
        double? sum = null;
        foreach (var sample in Samples(name))
        {
            if ((where is null || where(sample)) && !double.IsNaN(sample.Value))
            {
                sum = (sum ?? 0) + sample.Value;
            }
        }

        return sum;
    }

    /// <summary>The largest value over the series of <paramref name="name"/>; null when there is none.</summary>
    public double? Max(string name)
    {
        double? max = null;
        foreach (var sample in Samples(name))
        {
            if (!double.IsNaN(sample.Value))
            {
                max = Math.Max(max ?? double.NegativeInfinity, sample.Value);
            }
        }

        return max;
    }

    /// <summary>The histogram <paramref name="family"/> (its <c>_bucket</c>, <c>_sum</c> and <c>_count</c> samples summed over series); null when absent or unreadable.</summary>
    public BucketHistogram? Histogram(string family)
    {
        var buckets = Samples(family + "_bucket");
        if (buckets.Count == 0)
        {
            return null;
        }

        return BucketHistogram.From(buckets, Sum(family + "_sum") ?? double.NaN, Sum(family + "_count") ?? buckets.Where(b => b.Label("le") == "+Inf").Sum(b => b.Value));
    }
}
