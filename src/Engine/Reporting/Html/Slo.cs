using System.Text.Json;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>Reads SLO objectives wherever a report keeps them: a stage's <c>summary.slo.objectives</c>, else the config's <c>slo</c>.</summary>
internal static class Slo
{
    private static readonly IReadOnlyDictionary<string, string[]> Names = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["ttftMs"] = ["ttft_ms", "ttftMs", "ttft"],
        ["tpotMs"] = ["itl_ms", "itlMs", "tpot_ms", "tpotMs", "itl", "tpot"],
        ["e2eLatencyMs"] = ["e2e_ms", "e2eMs", "e2eLatencyMs", "e2e"],
    };

    /// <summary>The objective (ms) on statistic <paramref name="key"/>, when one is set.</summary>
    public static double? Objective(ReportDocument report, string key)
    {
        if (!Names.TryGetValue(key, out var names))
        {
            return null;
        }

        JsonElement?[] places = [.. report.Stages.Select(s => s.Slo.Get("objectives")), ((JsonElement?)report.Root).Path("config.slo")];
        foreach (var place in places)
        {
            foreach (var name in names)
            {
                if (place.Number(name) is { } v && v > 0)
                {
                    return v;
                }
            }
        }

        return null;
    }

    /// <summary>The attainment target (0–1), when set.</summary>
    public static double? Target(ReportDocument report) =>
        report.Stages.Select(s => s.Slo.Number("target") ?? s.Slo.Path("objectives.attainment").Number()).FirstOrDefault(v => v is not null)
        ?? ((JsonElement?)report.Root).Path("config.slo.attainment").Number()
        ?? ((JsonElement?)report.Root).Path("capacity.targetAttainment").Number();
}
