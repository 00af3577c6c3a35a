using System.Text.Json.Nodes;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Configuration.Reading;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Slo;

/// <summary>How the <c>slo</c> setting is read (a mapping, or <c>key=value,...</c> on a flag), written and reported.</summary>
internal static class SloFormat
{
    public static SettingFormat<SloObjectives?> Format { get; } = new(
        "a mapping of ttft_ms, itl_ms, e2e_ms (ms > 0, at least one) and attainment (in (0, 1], default 0.99); on a flag ttft_ms=500,attainment=0.99",
        (SettingParser<SloObjectives?>)Parse,
        v => v?.ToString() ?? "none",
        Report);

    private static bool Parse(YamlValues yaml, string key, YamlNode node, string path, out SloObjectives? value)
    {
        var pairs = new List<(string Key, string Value, YamlNode Node)>();
        var readable = true;
        if (node is YamlMappingNode map)
        {
            foreach (var (k, v) in map.Children)
            {
                var name = YamlValues.KeyText(k);
                if (yaml.Text(v, $"{path}.{name}") is { } text)
                {
                    pairs.Add((name, text, k));
                }
                else
                {
                    readable = false;
                }
            }
        }
        else if (yaml.Text(node, path) is { } text)
        {
            foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    yaml.Error(node, path, $"'{part}' is not key=value (for example ttft_ms=500,attainment=0.99)");
                    readable = false;
                    continue;
                }

                pairs.Add((part[..eq].Trim(), part[(eq + 1)..].Trim(), node));
            }
        }
        else
        {
            readable = false;
        }

        value = SloObjectives.FromPairs(
            pairs.Select(p => (p.Key, p.Value)),
            (k, message) =>
            {
                var at = pairs.FirstOrDefault(p => p.Key == k).Node ?? node;
                yaml.Error(at, k.Length > 0 && node is YamlMappingNode ? $"{path}.{k}" : path, message);
            });
        return readable && value is not null;
    }

    private static JsonNode? Report(SloObjectives? slo) => slo is null ? null : new JsonObject
    {
        ["ttftMs"] = slo.TtftMs,
        ["itlMs"] = slo.ItlMs,
        ["e2eMs"] = slo.E2eMs,
        ["attainment"] = slo.Attainment,
    };
}
