using GuidellmFunctions.Deploy.Tests.Support;

namespace GuidellmFunctions.Deploy.Tests.Prometheus;

/// <summary>deploy/prometheus checked and unit-tested by promtool.</summary>
public sealed class RulesTests
{
    [Fact]
    public async Task The_rules_pass_promtool_check()
    {
        var result = await Tool.RunAsync("promtool", ["check", "rules", Repository.PathOf("deploy", "prometheus", "guidellm.rules.yml")]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("SUCCESS: 14 rules found", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_alert_is_unit_tested_firing_and_not_firing()
    {
        var tests = Repository.PathOf("deploy", "prometheus", "tests", "guidellm.rules.test.yml");
        var text = await File.ReadAllTextAsync(tests);
        foreach (var alert in (string[])["GuidellmRunFailed", "GuidellmNoRecentRun", "GuidellmErrorRatioHigh", "GuidellmTtftP95Regressed"])
        {
            Assert.Contains("alertname: " + alert, text, StringComparison.Ordinal);
        }

        var result = await Tool.RunAsync("promtool", ["test", "rules", tests], workingDirectory: Path.GetDirectoryName(tests));

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("SUCCESS", result.Output, StringComparison.Ordinal);
    }
}
