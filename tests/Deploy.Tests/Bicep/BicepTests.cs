using System.Text.Json;
using GuidellmFunctions.Deploy.Tests.Support;

namespace GuidellmFunctions.Deploy.Tests.Bicep;

/// <summary>infra/bicep built and linted by the Bicep CLI with no diagnostic at all, and what it compiles to.</summary>
public sealed class BicepTests
{
    private static readonly string Main = Repository.PathOf("infra", "bicep", "main.bicep");

    public static TheoryData<string> Files() =>
    [
        "main.bicep",
        .. Directory.GetFiles(Repository.PathOf("infra", "bicep", "modules"), "*.bicep").Select(f => "modules/" + Path.GetFileName(f)),
        .. Directory.GetFiles(Repository.PathOf("infra", "bicep", "parameters"), "*.bicepparam").Select(f => "parameters/" + Path.GetFileName(f)),
    ];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Lints_with_no_warning(string file)
    {
        var result = await Tool.RunAsync(Tool.Bicep, ["lint", Repository.PathOf("infra", "bicep", file), "--diagnostics-format", "default"]);

        Assert.True(result.ExitCode == 0 && result.Output.Trim().Length == 0, $"bicep lint {file}:\n{result.Output}");
    }

    [Fact]
    public async Task Main_builds_with_no_diagnostic_to_a_template_with_every_required_resource()
    {
        var result = await Tool.RunAsync(Tool.Bicep, ["build", Main, "--stdout"]);

        Assert.True(result.ExitCode == 0 && result.Stderr.Trim().Length == 0, $"bicep build:\n{result.Stderr}");
        var types = ResourceTypes(JsonDocument.Parse(result.Stdout).RootElement).ToHashSet();
        foreach (var type in (string[])[
            "Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts/blobServices/containers", "Microsoft.Storage/storageAccounts/queueServices/queues",
            "Microsoft.Web/serverfarms", "Microsoft.Web/sites", "Microsoft.OperationalInsights/workspaces", "Microsoft.Insights/components",
            "Microsoft.KeyVault/vaults", "Microsoft.KeyVault/vaults/secrets", "Microsoft.Authorization/roleAssignments"])
        {
            Assert.Contains(type, types);
        }

        var text = result.Stdout;
        Assert.Contains("\"FC1\"", text, StringComparison.Ordinal);
        Assert.Contains("\"dotnet-isolated\"", text, StringComparison.Ordinal);
        Assert.Contains("\"10.0\"", text, StringComparison.Ordinal);
        Assert.Contains("@Microsoft.KeyVault(VaultName=", text, StringComparison.Ordinal);
        foreach (var setting in (string[])["GUIDELLM_CONFIG", "GUIDELLM_ENVIRONMENT", "GUIDELLM_SCHEDULE", "GUIDELLM_QUEUE", "AzureWebJobsStorage__accountName", "APPLICATIONINSIGHTS_CONNECTION_STRING"])
        {
            Assert.Contains(setting, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("development")]
    [InlineData("staging")]
    public async Task Each_environment_has_parameters_that_build(string environment)
    {
        var result = await Tool.RunAsync(Tool.Bicep, ["build-params", Repository.PathOf("infra", "bicep", "parameters", environment + ".bicepparam"), "--stdout"]);

        Assert.True(result.ExitCode == 0 && result.Stderr.Trim().Length == 0, $"bicep build-params {environment}:\n{result.Output}");
        using var output = JsonDocument.Parse(result.Stdout);
        using var parameters = JsonDocument.Parse(output.RootElement.GetProperty("parametersJson").GetString()!);
        Assert.Equal(environment, parameters.RootElement.GetProperty("parameters").GetProperty("environmentName").GetProperty("value").GetString());
    }

    [Fact]
    public async Task A_broken_template_is_reported()
    {
        var dir = Directory.CreateTempSubdirectory("guidellm-bicep-").FullName;
        try
        {
            var broken = Path.Combine(dir, "broken.bicep");
            await File.WriteAllTextAsync(broken, "param unused string\nresource x 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'x'\n}\n");

            var result = await Tool.RunAsync(Tool.Bicep, ["lint", broken]);

            Assert.Contains("no-unused-params", result.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static IEnumerable<string> ResourceTypes(JsonElement template)
    {
        var resources = template.GetProperty("resources");
        var list = resources.ValueKind == JsonValueKind.Object ? resources.EnumerateObject().Select(p => p.Value) : resources.EnumerateArray();
        foreach (var resource in list)
        {
            yield return resource.GetProperty("type").GetString()!;
            if (resource.TryGetProperty("properties", out var properties) && properties.TryGetProperty("template", out var nested))
            {
                foreach (var type in ResourceTypes(nested))
                {
                    yield return type;
                }
            }
        }
    }
}
