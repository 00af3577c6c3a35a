using System.Text.Json;
using GuidellmFunctions.Deploy.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Deploy.Tests.Grafana;

/// <summary>The provisioned dashboard's structure, and every PromQL expression in it parsed by promtool.</summary>
public sealed class DashboardTests
{
    [Fact]
    public void Has_the_four_sections_with_panels_each_on_its_own_datasource_variable()
    {
        var queries = Dashboard.Queries();

        Assert.Equal(
            ["Load test status (guidellm-runner)", "Server performance (vLLM)", "GPU (DCGM)", "Correlation"],
            queries.Select(q => q.Section).Distinct());
        Assert.All(queries.Where(q => q.Section.Contains("guidellm-runner", StringComparison.Ordinal)), q => Assert.Equal("${ds_runner}", q.Datasource));
        Assert.All(queries.Where(q => q.Section.Contains("vLLM", StringComparison.Ordinal)), q => Assert.Equal("${ds_vllm}", q.Datasource));
        Assert.All(queries.Where(q => q.Section.Contains("DCGM", StringComparison.Ordinal)), q => Assert.Equal("${ds_dcgm}", q.Datasource));
        var correlation = queries.Where(q => q.Section == "Correlation").ToList();
        Assert.Contains(correlation, q => q.Datasource == "${ds_runner}" && q.Expr.Contains("guidellm_ttft_seconds", StringComparison.Ordinal));
        Assert.Contains(correlation, q => q.Datasource == "${ds_vllm}" && q.Expr.Contains("vllm:time_to_first_token_seconds", StringComparison.Ordinal));
        Assert.Contains(correlation, q => q.Datasource == "${ds_runner}" && q.Expr.Contains("guidellm_requests_total", StringComparison.Ordinal));
        Assert.Contains(correlation, q => q.Datasource == "${ds_dcgm}" && q.Expr.Contains("DCGM_FI_DEV_GPU_UTIL", StringComparison.Ordinal));
    }

    [Fact]
    public void Has_datasource_environment_target_and_model_variables_and_filters_every_runner_query_by_them()
    {
        var variables = Dashboard.Load().GetProperty("templating").GetProperty("list").EnumerateArray()
            .ToDictionary(v => v.GetProperty("name").GetString()!, v => v.GetProperty("type").GetString()!);

        foreach (var name in (string[])["ds_runner", "ds_vllm", "ds_dcgm"])
        {
            Assert.Equal("datasource", variables[name]);
        }

        foreach (var name in (string[])["environment", "target", "model"])
        {
            Assert.Equal("query", variables[name]);
        }

        foreach (var query in Dashboard.Queries())
        {
            if (query.Datasource == "${ds_runner}")
            {
                Assert.Contains("environment=~\"$environment\"", query.Expr, StringComparison.Ordinal);
                Assert.Contains("model=~\"$model\"", query.Expr, StringComparison.Ordinal);
            }
            else if (query.Datasource == "${ds_vllm}")
            {
                Assert.Contains("model_name=~\"$model\"", query.Expr, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Every_expression_parses_in_promtool()
    {
        var dashboard = Dashboard.Load();
        var expressions = Dashboard.Queries().Select(q => q.Resolved("development")).ToList();
        expressions.AddRange(dashboard.GetProperty("annotations").GetProperty("list").EnumerateArray().Select(a => Dashboard.Resolve(a.GetProperty("expr").GetString()!, "development")));
        expressions.AddRange(dashboard.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Where(v => v.GetProperty("type").GetString() == "query")
            .Select(v => LabelValuesSelector(Dashboard.Resolve(v.GetProperty("definition").GetString()!, "development"))));
        var rules = "groups:\n  - name: dashboard\n    rules:\n" + string.Concat(expressions.Select((e, i) => $"      - record: dashboard:expr_{i}\n        expr: {JsonSerializer.Serialize(e)}\n"));
        var file = Path.Combine(Directory.CreateTempSubdirectory("guidellm-dashboard-").FullName, "dashboard.rules.yml");
        await File.WriteAllTextAsync(file, rules);

        var result = await Tool.RunAsync("promtool", ["check", "rules", file]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains($"SUCCESS: {expressions.Count} rules found", result.Output, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Fact]
    public void Datasource_provisioning_covers_one_thanos_and_separate_prometheus_layouts()
    {
        var single = Datasources("single-thanos.yaml");
        var separate = Datasources("separate-prometheus.yaml");

        Assert.Single(single);
        Assert.True(separate.Count >= 2);
        Assert.All([.. single, .. separate], d => Assert.Equal("prometheus", d["type"]));
        Assert.Single(single, d => d.GetValueOrDefault("isDefault") == "true");
        Assert.Single(separate, d => d.GetValueOrDefault("isDefault") == "true");
        var provider = LoadYaml(Repository.PathOf("deploy", "grafana", "provisioning", "dashboards", "guidellm.yaml"));
        Assert.Equal("file", ((YamlScalarNode)((YamlMappingNode)((YamlSequenceNode)provider["providers"]).Children[0])["type"]).Value);
    }

    // label_values(selector, label) is Grafana's, not PromQL: its selector is what Prometheus parses.
    private static string LabelValuesSelector(string definition) => definition["label_values(".Length..definition.LastIndexOf(',')];

    private static YamlMappingNode LoadYaml(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static List<Dictionary<string, string>> Datasources(string file) =>
        [.. ((YamlSequenceNode)LoadYaml(Repository.PathOf("deploy", "grafana", "provisioning", "datasources", file))["datasources"]).Children
            .Cast<YamlMappingNode>()
            .Select(d => d.Children.Where(c => c.Value is YamlScalarNode).ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value!))];
}
