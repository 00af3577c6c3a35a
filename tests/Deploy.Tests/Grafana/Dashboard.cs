using System.Text.Json;
using GuidellmFunctions.Deploy.Tests.Support;

namespace GuidellmFunctions.Deploy.Tests.Grafana;

/// <summary>One PromQL query of the dashboard: where it is, which datasource variable it uses, and its text.</summary>
internal sealed record DashboardQuery(string Panel, string Section, string Datasource, string Expr)
{
    /// <summary>The expression with the dashboard's variables set as a user would set them for one environment.</summary>
    public string Resolved(string environment) => Dashboard.Resolve(Expr, environment);
}

/// <summary>deploy/grafana/dashboards/guidellm-load-test.json, read as Grafana reads it.</summary>
internal static class Dashboard
{
    public static readonly string FilePath = Repository.PathOf("deploy", "grafana", "dashboards", "guidellm-load-test.json");

    public static JsonElement Load() => JsonDocument.Parse(File.ReadAllText(FilePath)).RootElement;

    public static string Resolve(string expr, string environment) => expr
        .Replace("$__rate_interval", "1m", StringComparison.Ordinal)
        .Replace("$server_filter", "namespace=~\".*\"", StringComparison.Ordinal)
        .Replace("$environment", environment, StringComparison.Ordinal)
        .Replace("$target", ".*", StringComparison.Ordinal)
        .Replace("$model", ".*", StringComparison.Ordinal)
        .Replace("$vllm_pod", ".*", StringComparison.Ordinal);

    public static List<DashboardQuery> Queries()
    {
        var queries = new List<DashboardQuery>();
        var section = string.Empty;
        foreach (var panel in Load().GetProperty("panels").EnumerateArray())
        {
            if (panel.GetProperty("type").GetString() == "row")
            {
                section = panel.GetProperty("title").GetString()!;
                continue;
            }

            var title = panel.GetProperty("title").GetString()!;
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                var datasource = (target.TryGetProperty("datasource", out var own) ? own : panel.GetProperty("datasource")).GetProperty("uid").GetString()!;
                queries.Add(new DashboardQuery(title, section, datasource, target.GetProperty("expr").GetString()!));
            }
        }

        return queries;
    }
}
