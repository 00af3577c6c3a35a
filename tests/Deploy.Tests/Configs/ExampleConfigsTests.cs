using System.Text.Json;
using GuidellmFunctions.Deploy.Tests.Support;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Deploy.Tests.Configs;

/// <summary>
/// The example configs under configs/ load through the real loader with every target resolved (so a setting renamed or
/// removed breaks CI, not a user), their datasets exist, and local.settings.sample.json names one of them.
/// </summary>
public sealed class ExampleConfigsTests
{
    /// <summary>The variables the examples need set; any other <c>${VAR}</c> without a default fails the load, naming it.</summary>
    private static readonly Dictionary<string, string> Variables = new(StringComparer.Ordinal)
    {
        ["API_KEY"] = "sk-example",
        ["AZURE_OPENAI_KEY"] = "example-azure-key",
        ["INGRESS_TOKEN"] = "example-token",
    };

    private static IReadOnlyList<string> Names => [.. Directory.GetFiles(Repository.PathOf("configs"), "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Files() => [.. Names];

    [Fact]
    public void The_examples_the_readme_promises_are_there()
    {
        Assert.Superset(
            new HashSet<string>(["config.yaml", "config-development.yaml", "config-staging.yaml", "azure-openai.yaml", "https-ingress.yaml", "nightly-capacity.yaml", "dataset-workload.yaml"]),
            new HashSet<string>(Names));
        var readme = File.ReadAllText(Repository.PathOf("README.md"));
        foreach (var name in Names)
        {
            Assert.Contains($"configs/{name}", readme, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Each_example_loads_and_resolves_every_target_with_its_datasets_present(string name)
    {
        var path = Repository.PathOf("configs", name);

        var config = new ConfigLoader(v => Variables.GetValueOrDefault(v)).LoadFile(path);
        var targets = config.ResolveAll();

        Assert.NotEmpty(targets);
        Assert.All(config.Warnings, w => Assert.Equal("discovery", w.Key));
        foreach (var dataset in config.Datasets.Where(d => d.Path is not null))
        {
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, dataset.Path!)), $"{name}: dataset {dataset.Name} at {dataset.Path} is missing");
        }

        Assert.All(File.ReadLines(path), line => Assert.DoesNotContain("\t", line, StringComparison.Ordinal));
        Assert.StartsWith("#", File.ReadLines(path).First(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_local_settings_sample_names_an_example_and_an_environment_of_it()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Repository.PathOf("local.settings.sample.json")));
        var values = settings.RootElement.GetProperty("Values");
        var configPath = values.GetProperty("GUIDELLM_CONFIG").GetString()!;
        var environment = values.GetProperty("GUIDELLM_ENVIRONMENT").GetString()!;

        Assert.StartsWith("configs/", configPath, StringComparison.Ordinal);
        Assert.True(File.Exists(Repository.PathOf(configPath.Split('/'))), $"local.settings.sample.json names {configPath}, which does not exist");
        var config = new ConfigLoader(v => values.TryGetProperty(v, out var value) ? value.GetString() : null).LoadFile(Repository.PathOf(configPath.Split('/')));
        Assert.NotEmpty(config.ResolveTargets(environment));
    }
}
