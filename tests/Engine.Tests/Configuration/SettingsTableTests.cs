using System.Text.Json;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Runs;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Configuration;

/// <summary>Every entry of the settings table, through every way a setting is given, to the report's <c>config</c>.</summary>
public sealed class SettingsTableTests
{
    private const string Target = "{ name: t, url: \"http://127.0.0.1:1/v1\", model: m }";

    public static TheoryData<string> Keys => [.. SettingsTable.All.Select(s => s.Key)];

    private static Setting Named(string key) => SettingsTable.All.Single(s => s.Key == key);

    private static RunnerConfig Load(string yaml) => new ConfigLoader(_ => null).LoadText(yaml, "settings.yaml");

    private static Dictionary<string, JsonElement> Report(RunnerConfig config, BenchmarkSettingsPatch? overrides = null) =>
        EffectiveConfig.Describe(config.ResolveTargets("dev", [], overrides).Single()).Settings;

    // The dataset setting's example names this dataset: a flag or a queue message picks one the config defines.
    private static readonly string Datasets = $"datasets:\n  - name: sample-sharegpt\n    path: \"{Samples.Path("sharegpt.jsonl")}\"\n";

    private static RunnerConfig Plain => Load($"environments:\n  dev:\n    targets:\n      - {Target}\n{Datasets}");

    private static string Json(Dictionary<string, JsonElement> settings) => JsonSerializer.Serialize(settings);

    [Theory]
    [MemberData(nameof(Keys))]
    public void A_setting_given_in_the_yaml_a_flag_or_a_queue_override_reaches_the_report_the_same_way(string key)
    {
        var setting = Named(key);
        var baseline = Report(Plain);
        var reports = new Dictionary<string, Dictionary<string, JsonElement>>();

        var parsed = ConfigLoader.ParseSetting(setting, setting.Example, out var error);
        Assert.True(parsed is not null, $"{key}: example '{setting.Example}' does not parse: {error}");
        reports["flag"] = Report(Plain, parsed);

        if (setting.Channels.HasFlag(SettingChannels.Yaml))
        {
            reports["yaml defaults"] = Report(Load($"environments:\n  dev:\n    targets:\n      - {Target}\ndefaults:\n  {key}: \"{setting.Example}\"\n{Datasets}"));
            reports["yaml target"] = Report(Load($"environments:\n  dev:\n    targets:\n      - name: t\n        url: http://127.0.0.1:1/v1\n        model: m\n        {setting.CamelName}: \"{setting.Example}\"\n{Datasets}"));
        }
        else
        {
            var refused = Assert.Throws<ConfigValidationException>(() => Load($"environments:\n  dev:\n    targets:\n      - {Target}\ndefaults:\n  {key}: \"{setting.Example}\"\n"));
            Assert.Contains("unknown key", Assert.Single(refused.Errors).Message, StringComparison.Ordinal);
        }

        var message = $$$"""{"environment":"dev","overrides":{"{{{setting.CamelName}}}":"{{{setting.Example}}}"}}""";
        var request = RunRequestParser.Parse(message, Plain, "m-1", out var reason);
        if (setting.Channels.HasFlag(SettingChannels.Queue))
        {
            Assert.True(request is not null, $"{key}: queue override refused: {reason}");
            reports["queue"] = Report(Plain, request.Overrides);
        }
        else
        {
            Assert.Null(request);
            Assert.Contains($"unknown override \"{setting.CamelName}\"", reason, StringComparison.Ordinal);
        }

        var field = setting.ReportField ?? setting.FoldsInto!.ReportField!;
        Assert.All(reports, r => Assert.Equal(Json(reports["flag"]), Json(r.Value)));
        Assert.NotEqual(baseline[field].GetRawText(), reports["flag"][field].GetRawText());
        Assert.All(reports.Values, r => Assert.DoesNotContain(setting.IsSecret ? setting.Example : "\0", Json(r), StringComparison.Ordinal));
    }

    [Fact]
    public void The_report_config_carries_every_setting_under_the_field_names_old_reports_use()
    {
        var report = EffectiveConfig.Describe(Plain.ResolveTargets("dev").Single());
        var json = JsonSerializer.Serialize(new RunReport
        {
            RunId = "r",
            Environment = "dev",
            Target = "t",
            Model = "m",
            Status = RunStatus.Completed,
            Trigger = RunTrigger.Cli,
            Config = report,
            Benchmarks = [],
        }, ReportJsonContext.Default.RunReport);
        var config = JsonDocument.Parse(json).RootElement.GetProperty("config");

        string[] old =
        [
            "endpoint", "requestType", "profile", "rate", "maxSeconds", "dataSpec", "warmupSeconds", "cooldownSeconds",
            "requestTimeoutSeconds", "seed", "ignoreEos", "insecureSkipVerify", "headers",
        ];
        Assert.All(old, name => Assert.True(config.TryGetProperty(name, out _), $"config lost '{name}'"));
        Assert.All(SettingsTable.All.Where(s => s.ReportField is not null), s => Assert.True(config.TryGetProperty(s.ReportField!, out _), $"config lacks '{s.ReportField}'"));
        Assert.Equal(JsonValueKind.Null, config.GetProperty("maxRequests").ValueKind);
        Assert.Equal(30, config.GetProperty("maxSeconds").GetDouble());
        Assert.Equal("auto", config.GetProperty("httpClient").GetString());
        Assert.Equal(10, config.GetProperty("sweepSize").GetInt32());

        var read = JsonSerializer.Deserialize(json, ReportJsonContext.Default.RunReport)!;
        Assert.Equal(Json(report.Settings), Json(read.Config.Settings));
    }

    [Fact]
    public void No_two_settings_share_a_name_in_any_channel()
    {
        var yamlNames = SettingsTable.All.SelectMany(s => (string[])[s.Key, .. s.Aliases]).Select(k => k.Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant()).ToList();
        Assert.Equal(yamlNames.Count, yamlNames.Distinct().Count());
        var flags = SettingsTable.All.Select(s => s.Flag).OfType<string>().ToList();
        Assert.Equal(flags.Count, flags.Distinct().Count());
        var overrides = SettingsTable.All.Select(s => s.OverrideKey?.ToLowerInvariant()).OfType<string>().ToList();
        Assert.Equal(overrides.Count, overrides.Distinct().Count());
        var fields = SettingsTable.All.Select(s => s.ReportField).OfType<string>().ToList();
        Assert.Equal(fields.Count, fields.Concat(["endpoint", "apiKey", "headers", "notes"]).Distinct().Count() - 4);
    }

    [Fact]
    public void A_setting_folded_into_another_comes_after_it_so_it_merges_over_it()
    {
        var config = Load($"environments:\n  dev:\n    targets:\n      - {Target}\ndefaults:\n  data_spec: prompt_tokens=300,output_tokens=30\n");
        var overrides = ConfigLoader.ParseSetting("prompt_tokens", "12", out _)!.Merge(ConfigLoader.ParseSetting("data_spec", "prompt_tokens=5,output_tokens=6", out _)!);

        var settings = config.ResolveTargets("dev", [], overrides).Single().Settings;

        Assert.Equal(12, settings.Data.PromptTokens.Mean);
        Assert.Equal(6, settings.Data.OutputTokens.Mean);
        Assert.All(SettingsTable.All.Where(s => s.FoldsInto is not null), s => Assert.True(SettingsTable.All.ToList().IndexOf(s.FoldsInto!) < SettingsTable.All.ToList().IndexOf(s)));
    }

    [Fact]
    public void Settings_compare_by_value()
    {
        var a = new BenchmarkSettings { Rate = 3 }.Set(SettingsTable.MaxTokens, 10);
        var b = new BenchmarkSettings().Set(SettingsTable.MaxTokens, 10) with { Rate = 3 };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Rate = 4 });
        Assert.Equal(1, new BenchmarkSettings().Rate);
    }
}
