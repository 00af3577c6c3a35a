using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Tests.Configuration;

/// <summary>The <c>proxy</c> setting and what a target's headers may not ask for (issue 22 defects 2 and 4).</summary>
public sealed class ProxySettingTests
{
    private static readonly Dictionary<string, string> Env = new() { ["PROXY_PASSWORD"] = "pr0xy-s3cret" };

    private static RunnerConfig Load(string target, string defaults = "") => new ConfigLoader(name => Env.GetValueOrDefault(name)).LoadText(
        $"environments:\n  dev:\n    targets:\n      - name: t\n        url: http://vllm:8000/v1\n        model: m\n{target}{(defaults.Length == 0 ? string.Empty : "defaults:\n" + defaults)}",
        "proxy.yaml");

    private static ResolvedTarget Only(RunnerConfig config) => config.ResolveTargets("dev").Single();

    [Fact]
    public void A_url_with_credentials_is_split_and_the_password_never_shown()
    {
        var target = Only(Load("        proxy: http://svc%40corp:pr0xy-s3cret@proxy.corp:3128\n"));

        Assert.Equal(new ProxySetting(new Uri("http://proxy.corp:3128"), "svc@corp", new Secret("pr0xy-s3cret")), target.Settings.Proxy);
        var report = System.Text.Json.JsonSerializer.Serialize(EffectiveConfig.Describe(target).Settings);
        Assert.Contains("http://svc%40corp:***@proxy.corp:3128", report, StringComparison.Ordinal);
        Assert.DoesNotContain("pr0xy-s3cret", report, StringComparison.Ordinal);
        Assert.DoesNotContain("pr0xy-s3cret", SettingsTable.Proxy.Describe(target.Settings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_mapping_takes_its_password_from_the_environment_and_defaults_apply_to_every_target()
    {
        var target = Only(Load(string.Empty, "  proxy:\n    url: proxy.corp:3128\n    username: svc\n    password: ${PROXY_PASSWORD}\n"));

        Assert.Equal(new ProxySetting(new Uri("http://proxy.corp:3128"), "svc", new Secret("pr0xy-s3cret")), target.Settings.Proxy);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("false")]
    [InlineData("\"\"")]
    public void None_goes_direct_and_unset_leaves_it_to_the_environment(string none)
    {
        Assert.Equal(ProxySetting.Direct, Only(Load($"        proxy: {none}\n")).Settings.Proxy);
        Assert.Null(Only(Load(string.Empty)).Settings.Proxy);
    }

    [Theory]
    [InlineData("        proxy: https://user:pr0xy-s3cret@proxy.corp:3128\n", "environments.dev.targets[0].proxy", "must be an http://host:port proxy URL")]
    [InlineData("        proxy: http://proxy.corp:3128/path?key=pr0xy-s3cret\n", "environments.dev.targets[0].proxy", "must be an http://host:port proxy URL")]
    [InlineData("        proxy:\n          url: http://proxy.corp:3128\n          pasword: pr0xy-s3cret\n", "environments.dev.targets[0].proxy.pasword", "unknown key (expected url, username, password)")]
    [InlineData("        proxy:\n          username: svc\n", "environments.dev.targets[0].proxy.url", "missing: a proxy mapping needs its url")]
    public void A_proxy_that_cannot_be_used_is_a_config_error_naming_the_key_without_the_value(string yaml, string key, string message)
    {
        var ex = Assert.Throws<ConfigValidationException>(() => Load(yaml));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(key, error.Key);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pr0xy-s3cret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_target_header_asking_for_a_compressed_stream_is_refused_at_load_naming_its_line()
    {
        var ex = Assert.Throws<ConfigValidationException>(() => Load("        headers:\n          X-Tenant: blue\n          accept-encoding: gzip, br\n"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("environments.dev.targets[0].headers.accept-encoding", error.Key);
        Assert.Equal(9, error.Line);
        Assert.Contains("asks the server to compress the event stream, which the runner does not decode", error.Message, StringComparison.Ordinal);
        Assert.Equal("identity", Only(Load("        headers:\n          Accept-Encoding: identity\n")).Target.Headers!["Accept-Encoding"].Reveal());
    }
}
