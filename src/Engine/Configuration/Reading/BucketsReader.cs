using GuidellmFunctions.Engine.Export;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration.Reading;

/// <summary>
/// Reads <c>buckets:</c>, the classic bucket boundaries per latency histogram: a layout name (<c>fine</c>, the default,
/// or <c>go_runner</c>) or a list of upper bounds in seconds, by histogram (<c>ttft</c>, <c>itl</c>, <c>tpot</c>,
/// <c>e2e_latency</c>, <c>dispatch_delay</c>).
/// </summary>
internal sealed class BucketsReader(YamlValues yaml)
{
    public HistogramLayout Read(YamlNode node, string path)
    {
        var overrides = new Dictionary<string, IReadOnlyList<double>>(StringComparer.Ordinal);
        if (node is not YamlMappingNode map)
        {
            yaml.Error(node, path, $"must be a mapping of histogram ({string.Join(", ", HistogramLayout.Families.Keys)}) to a layout name or a list of bucket bounds in seconds");
            return HistogramLayout.Default;
        }

        foreach (var (k, v) in map.Children)
        {
            var key = YamlValues.KeyText(k);
            var keyPath = $"{path}.{key}";
            var family = HistogramLayout.Families.Keys.FirstOrDefault(f => YamlValues.Normalize(f) == YamlValues.Normalize(key));
            if (family is null)
            {
                yaml.Error(k, keyPath, $"unknown histogram (known: {string.Join(", ", HistogramLayout.Families.Keys)})");
                continue;
            }

            if (Bounds(family, v, keyPath) is { } bounds)
            {
                overrides[family] = bounds;
            }
        }

        return new HistogramLayout(overrides);
    }

    private IReadOnlyList<double>? Bounds(string family, YamlNode node, string path)
    {
        if (node is YamlScalarNode)
        {
            var name = yaml.RequireText(node, path);
            if (name is null)
            {
                return null;
            }

            var named = HistogramLayout.Named(family, name.Trim());
            if (named is null)
            {
                yaml.Error(node, path, $"unknown layout '{name}' (known: {HistogramLayout.Fine}, {HistogramLayout.GoRunner}, or a list of bucket bounds in seconds)");
            }

            return named;
        }

        if (node is not YamlSequenceNode list)
        {
            yaml.Error(node, path, $"must be a layout name ({HistogramLayout.Fine}, {HistogramLayout.GoRunner}) or a list of bucket bounds in seconds");
            return null;
        }

        var bounds = new List<double>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            if (yaml.Double(list.Children[i], $"{path}[{i}]", 0, exclusiveMin: true) is { } bound)
            {
                bounds.Add(bound);
            }
        }

        if (bounds.Count < list.Children.Count)
        {
            return null;
        }

        var problems = HistogramLayout.Problems(family, bounds);
        foreach (var problem in problems)
        {
            yaml.Error(node, path, problem[(family.Length + 2)..]);
        }

        return problems.Count > 0 ? null : bounds;
    }
}
