using GuidellmFunctions.Cli.Commands;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Tests.Commands;

/// <summary><c>run</c> has a flag for every setting the table gives the command line, read as the YAML reads the setting.</summary>
public sealed class RunFlagsTests
{
    // The dataset setting's example names a dataset: a flag picks one the config defines.
    private static readonly RunnerConfig Config = new ConfigLoader(_ => null).LoadText(
        "environments:\n  dev:\n    targets:\n      - { name: t, url: \"http://127.0.0.1:1/v1\", model: m }\n"
        + $"datasets:\n  - name: sample-sharegpt\n    path: \"{SamplePath("sharegpt.jsonl")}\"\n",
        "flags.yaml");

    public static TheoryData<string> Keys => [.. SettingsTable.All.Select(s => s.Key)];

    private static System.CommandLine.ParseResult Parse(params string[] flags) =>
        Program.BuildRoot(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) })).Parse(["run", "-c", "x.yaml", "-e", "dev", .. flags]);

    private static string Report(BenchmarkSettingsPatch overrides) =>
        System.Text.Json.JsonSerializer.Serialize(EffectiveConfig.Describe(Config.ResolveTargets("dev", [], overrides).Single()).Settings);

    [Theory]
    [MemberData(nameof(Keys))]
    public void Each_setting_given_on_the_command_line_is_read_as_the_table_reads_it(string key)
    {
        var setting = SettingsTable.All.Single(s => s.Key == key);
        var flag = "--" + key.Replace('_', '-');

        var parse = Parse(flag, setting.Example);

        if (!setting.Channels.HasFlag(SettingChannels.Cli))
        {
            Assert.Null(setting.Flag);
            Assert.NotEmpty(parse.Errors);
            return;
        }

        Assert.Equal(flag, setting.Flag);
        Assert.Empty(parse.Errors);
        var expected = ConfigLoader.ParseSetting(setting, setting.Example, out _)!;
        Assert.Equal(Report(expected), Report(RunCommand.Overrides(parse)));
        Assert.NotEqual(Report(new BenchmarkSettingsPatch()), Report(RunCommand.Overrides(parse)));
    }

    private static string SamplePath(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir.FullName, "GuidellmFunctions.sln")))
        {
            dir = dir.Parent!;
        }

        return Path.Combine(dir.FullName, "samples", "datasets", name).Replace('\\', '/');
    }

    [Fact]
    public void Every_invalid_flag_is_reported_at_once_naming_the_flag()
    {
        var error = Assert.Throws<ConfigValidationException>(() => RunCommand.Overrides(Parse("--rate", "fast", "--request-type", "grpc", "--max-seconds", "60")));

        Assert.Equal(["--rate", "--request-type"], error.Errors.Select(e => e.Key));
        Assert.Contains("unknown request_type 'grpc' (expected chat_completions or text_completions)", error.Errors[1].Message, StringComparison.Ordinal);
    }
}
