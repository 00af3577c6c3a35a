using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Tests.Configuration;

/// <summary>The <c>auth</c> setting (issue 22, Entra ID for Azure endpoints).</summary>
public sealed class AuthSettingTests
{
    private static RunnerConfig Load(string target, string defaults = "") => new ConfigLoader(_ => null).LoadText(
        $"environments:\n  dev:\n    targets:\n      - name: t\n        url: https://r.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21\n        model: m\n{target}{(defaults.Length == 0 ? string.Empty : "defaults:\n" + defaults)}",
        "auth.yaml");

    private static AuthSetting? Auth(RunnerConfig config) => config.ResolveTargets("dev").Single().Settings.Get(SettingsTable.Auth);

    [Fact]
    public void Azure_ad_asks_for_the_cognitive_services_scope_unless_another_is_written()
    {
        Assert.Equal("https://cognitiveservices.azure.com/.default", Auth(Load("        auth: azure_ad\n"))!.Scope);
        Assert.Equal("https://cognitiveservices.azure.com/.default", Auth(Load(string.Empty, "  auth: azure_ad\n"))!.Scope);
        Assert.Equal("https://ml.azure.com/.default", Auth(Load("        auth:\n          type: azure_ad\n          scope: https://ml.azure.com/.default\n"))!.Scope);
        Assert.Null(Auth(Load("        auth: none\n", "  auth: azure_ad\n")));
        Assert.Null(Auth(Load(string.Empty)));
    }

    [Theory]
    [InlineData("        auth: azure\n", "environments.dev.targets[0].auth", "unknown auth 'azure' (expected azure_ad or none)")]
    [InlineData("        auth:\n          type: azure_ad\n          scope: not a uri\n", "environments.dev.targets[0].auth.scope", "must be an absolute URI")]
    [InlineData("        auth:\n          type: azure_ad\n          scopes: x\n", "environments.dev.targets[0].auth.scopes", "unknown key (expected type, scope)")]
    public void A_wrong_auth_is_a_config_error_naming_the_key(string yaml, string key, string message)
    {
        var ex = Assert.Throws<ConfigValidationException>(() => Load(yaml));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(key, error.Key);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
