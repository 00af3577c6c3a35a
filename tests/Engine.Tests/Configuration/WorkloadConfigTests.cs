using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Runs;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Configuration;

/// <summary>dataset, datasets:, the workload keys of data_spec, ramp-up, burstiness and replay as a config, a flag and a queue message give them.</summary>
public sealed class WorkloadConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static RunnerConfig Load(string yaml, string source = "workloads.yaml") => new ConfigLoader(_ => null).LoadText(yaml, source);

    private static string Config(string defaults = "", string target = "", string datasets = "") =>
        $"environments:\n  dev:\n    targets:\n      - name: t\n        url: http://127.0.0.1:1/v1\n        model: m\n{target}defaults:\n  max_seconds: 5\n{defaults}{datasets}";

    private static string Sample(string name) => Samples.Path(name).Replace("\\", "/", StringComparison.Ordinal);

    [Fact]
    public void A_target_names_a_dataset_of_datasets_and_the_report_carries_its_definition()
    {
        var config = Load(Config(
            target: "        dataset: chat\n",
            datasets: $"datasets:\n  - name: chat\n    path: \"{Sample("sharegpt.jsonl")}\"\n    order: shuffle\n    max_prompt_tokens: 2000\n  - name: trace\n    url: https://acct.blob.core.windows.net/data/trace.jsonl?sv=1&sig=SECRET\n    format: mooncake\n"));

        var target = config.ResolveTargets("dev").Single();
        var dataset = target.Settings.Get(SettingsTable.Dataset)!;
        var report = EffectiveConfig.Describe(target).Settings["dataset"];

        Assert.Equal(["chat", "trace"], config.Datasets.Select(d => d.Name));
        Assert.Equal((Sample("sharegpt.jsonl"), DatasetOrder.Shuffle, 2000), (dataset.Path!.Replace("\\", "/", StringComparison.Ordinal), dataset.Order, dataset.MaxPromptTokens));
        Assert.Equal("chat", report.GetProperty("name").GetString());
        Assert.Equal("shuffle", report.GetProperty("order").GetString());
        Assert.DoesNotContain("SECRET", config.Datasets[1].Location, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", EffectiveConfig.Describe(config.ResolveTargets("dev", [], ConfigLoader.ParseSetting("dataset", "trace", out _)).Single()).Settings["dataset"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_path_is_read_from_the_config_files_folder()
    {
        File.Copy(Samples.Path("plain.jsonl"), Path.Combine(_dir.Path, "plain.jsonl"));
        var path = _dir.Write("config.yaml", Config(defaults: "  dataset:\n    path: plain.jsonl\n"));

        var dataset = new ConfigLoader(_ => null).LoadFile(path).ResolveTargets("dev").Single().Settings.Get(SettingsTable.Dataset)!;

        Assert.Equal(Path.Combine(_dir.Path, "plain.jsonl"), dataset.Path);
    }

    [Fact]
    public void A_queue_message_picks_a_dataset_by_name_and_can_neither_define_one_nor_name_an_unknown_one()
    {
        var config = Load(Config(datasets: $"datasets:\n  - name: chat\n    path: \"{Sample("sharegpt.jsonl")}\"\n  - name: csv\n    path: \"{Sample("prompts.csv")}\"\n"));

        var picked = RunRequestParser.Parse("""{"environment":"dev","overrides":{"dataset":"csv"}}""", config, "m", out var reason);
        var defined = RunRequestParser.Parse("""{"environment":"dev","overrides":{"dataset":{"path":"/etc/passwd"}}}""", config, "m", out var definedReason);
        var unknown = RunRequestParser.Parse("""{"environment":"dev","overrides":{"dataset":"/etc/passwd"}}""", config, "m", out var unknownReason);
        var none = RunRequestParser.Parse("""{"environment":"dev","overrides":{"dataset":"none"}}""", config, "m", out _);

        Assert.Equal(Samples.Path("prompts.csv"), config.ResolveTargets("dev", [], picked!.Overrides).Single().Settings.Get(SettingsTable.Dataset)!.Path, ignoreCase: true);
        Assert.Null(reason);
        Assert.Null(defined);
        Assert.Contains("picks a dataset by the name the config gives it; it cannot define one", definedReason, StringComparison.Ordinal);
        Assert.Null(unknown);
        Assert.Contains("unknown dataset '/etc/passwd' (known: chat, csv)", unknownReason, StringComparison.Ordinal);
        Assert.Null(config.ResolveTargets("dev", [], none!.Overrides).Single().Settings.Get(SettingsTable.Dataset));
    }

    [Fact]
    public void Every_dataset_problem_is_reported_at_once_with_its_key()
    {
        var ex = Assert.Throws<ConfigValidationException>(() => Load(Config(
            defaults: "  dataset:\n    format: parquet\n    orderr: shuffle\n    min_prompt_tokens: 9\n    max_prompt_tokens: 3\n",
            target: "        dataset:\n          path: a.jsonl\n          url: https://x.blob.core.windows.net/c/b.jsonl\n",
            datasets: "datasets:\n  - path: nameless.jsonl\n")));

        var messages = ex.Errors.Select(e => $"{e.Key}: {e.Message}").ToList();
        Assert.Contains(messages, m => m.StartsWith("defaults.dataset.format: unknown format 'parquet' (expected one of auto, sharegpt, openai, plain, csv, mooncake, azure_trace)", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("defaults.dataset.orderr: unknown key (known: name, path, url, format, order,", StringComparison.Ordinal));
        Assert.Contains(messages, m => m == "defaults.dataset: missing: a dataset needs a path (a local file) or a url (a blob)");
        Assert.Contains(messages, m => m == "defaults.dataset: min_prompt_tokens (9) is greater than max_prompt_tokens (3)");
        Assert.Contains(messages, m => m == "environments.dev.targets[0].dataset: give a path or a url, not both");
        Assert.Contains(messages, m => m.StartsWith("datasets[0].name: missing", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_file_an_unknown_name_and_a_replay_without_a_trace_are_config_errors_naming_them()
    {
        var missing = Path.Combine(_dir.Path, "gone.jsonl");
        var config = Load(Config(target: $"        dataset: nope\n", defaults: "  profile: replay\n", datasets: $"datasets:\n  - name: gone\n    path: \"{missing.Replace("\\", "/", StringComparison.Ordinal)}\"\n  - name: chat\n    path: \"{Sample("sharegpt.jsonl")}\"\n    format: sharegpt\n"));

        var unknown = Assert.Throws<ConfigValidationException>(() => config.ResolveTargets("dev")).Errors.Select(e => e.Message).ToList();
        var gone = Assert.Throws<ConfigValidationException>(() => config.ResolveTargets("dev", [], ConfigLoader.ParseSetting("dataset", "gone", out _))).Errors.Select(e => e.Message).ToList();
        var chat = Assert.Throws<ConfigValidationException>(() => config.ResolveTargets("dev", [], ConfigLoader.ParseSetting("dataset", "chat", out _))).Errors.Select(e => e.Message).ToList();

        Assert.Contains("unknown dataset 'nope' (known: gone, chat)", unknown);
        Assert.Contains($"dataset file '{missing}' does not exist", gone);
        Assert.Contains("profile replay needs a trace with timestamps (format mooncake or azure_trace), not sharegpt", chat);
    }

    [Fact]
    public void Two_different_datasets_may_not_share_a_name()
    {
        var ex = Assert.Throws<ConfigValidationException>(() => Load(Config(
            defaults: $"  dataset:\n    name: chat\n    path: \"{Sample("plain.jsonl")}\"\n",
            datasets: $"datasets:\n  - name: chat\n    path: \"{Sample("sharegpt.jsonl")}\"\n")));

        Assert.Contains("the name 'chat' is given to two different datasets", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_spec_takes_guidellms_prefix_and_turn_keys_and_writes_them_back()
    {
        var spec = ConfigLoader.ParseSetting("data_spec", "prompt_tokens=64,output_tokens=8,prefix_tokens=128,prefix_count=4,turns=5", out var error);
        var settings = new BenchmarkSettings().With(spec);

        Assert.Null(error);
        Assert.Equal((128, 4, 5), (settings.Data.PrefixTokens, settings.Data.PrefixCount, settings.Data.Turns));
        Assert.Equal("prompt_tokens=64,output_tokens=8,prefix_tokens=128,prefix_count=4,turns=5", settings.Data.ToString());
        Assert.Null(ConfigLoader.ParseSetting("data_spec", "prefix_count=3,turns=0", out var bad));
        Assert.Contains("turns must be a whole number >= 1, got '0'", bad, StringComparison.Ordinal);
        Assert.Contains("prefix_count needs prefix_tokens", bad, StringComparison.Ordinal);
    }

    [Fact]
    public void Ramp_up_burstiness_and_think_time_are_settings_of_every_channel()
    {
        var config = Load(Config(defaults: "  ramp_up_seconds: 10s\n  burstiness: 0.25\n  think_time: 1500ms\n"));
        var settings = config.ResolveTargets("dev").Single().Settings;
        var flags = config.ResolveTargets("dev", [], ConfigLoader.ParseSetting("burstiness", "none", out _)).Single().Settings;

        Assert.Equal((TimeSpan.FromSeconds(10), 0.25, TimeSpan.FromMilliseconds(1500)), (settings.Get(SettingsTable.RampUpSeconds), settings.Get(SettingsTable.Burstiness), settings.Get(SettingsTable.ThinkTime)));
        Assert.Null(flags.Get(SettingsTable.Burstiness));
        Assert.Null(ConfigLoader.ParseSetting("burstiness", "0", out var error));
        Assert.Contains("must be a number > 0", error, StringComparison.Ordinal);
    }
}
