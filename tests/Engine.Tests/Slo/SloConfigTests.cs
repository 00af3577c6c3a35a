using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Runs;
using GuidellmFunctions.Engine.Slo;

namespace GuidellmFunctions.Engine.Tests.Slo;

/// <summary>The <c>slo</c> setting and the capacity and verdict settings, as a config, a flag and a queue override give them.</summary>
public sealed class SloConfigTests
{
    private const string Target = "{ name: t, url: \"http://127.0.0.1:1/v1\", model: m }";

    private static RunnerConfig Load(string defaults) =>
        new ConfigLoader(_ => null).LoadText($"environments:\n  dev:\n    targets:\n      - {Target}\ndefaults:\n{defaults}", "slo.yaml");

    private static BenchmarkSettings Resolve(string defaults) => Load(defaults).ResolveTargets("dev").Single().Settings;

    [Fact]
    public void An_slo_mapping_is_read_in_snake_or_camel_case_with_the_default_attainment()
    {
        var snake = Resolve("  slo:\n    ttft_ms: 500\n    itl_ms: 50\n    e2e_ms: 20000\n    attainment: 0.95\n").Get(SettingsTable.Slo);
        var camel = Resolve("  slo: { ttftMs: 250 }\n").Get(SettingsTable.Slo);

        Assert.Equal(new SloObjectives(500, 50, 20000, 0.95), snake);
        Assert.Equal(new SloObjectives(250, null, null, SloObjectives.DefaultAttainment), camel);
        Assert.Null(Resolve("  rate: 2\n").Get(SettingsTable.Slo));
    }

    [Fact]
    public void Every_bad_slo_key_and_value_is_reported_at_once_with_its_line_and_key()
    {
        var error = Assert.Throws<ConfigValidationException>(() => Load(
            "  slo:\n    ttft_ms: 0\n    itl: 50\n    e2e_ms: -3\n    attainment: 1.5\n"));

        var messages = error.Errors.Select(e => $"{e.Line} {e.Key}: {e.Message}").ToList();
        Assert.Equal(4, messages.Count);
        Assert.Contains(messages, m => m.StartsWith("7 defaults.slo.ttft_ms:", StringComparison.Ordinal) && m.Contains("must be a number > 0", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("8 defaults.slo.itl:", StringComparison.Ordinal) && m.Contains("unknown slo key 'itl' (known: ttft_ms, itl_ms, e2e_ms, attainment)", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("9 defaults.slo.e2e_ms:", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("10 defaults.slo.attainment:", StringComparison.Ordinal) && m.Contains("must be in (0, 1]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("  slo: { attainment: 0.9 }\n", "slo needs at least one objective")]
    [InlineData("  slo: { ttft_ms: 500, attainment: 0 }\n", "slo attainment must be in (0, 1]")]
    [InlineData("  slo: { ttft_ms: fast }\n", "slo ttft_ms must be a number, got 'fast'")]
    [InlineData("  profile: capacity\n", "profile capacity needs an slo")]
    [InlineData("  profile: capacity\n  slo: { ttft_ms: 500 }\n  rate: 1.5\n", "capacity_by concurrency starts at rate streams, a whole number")]
    [InlineData("  capacity_tolerance: 1\n", "must be below 1")]
    [InlineData("  regression_threshold: 0\n", "must be a number > 0")]
    [InlineData("  baseline_run_id: \"../etc\"\n", "is not a run id")]
    public void A_bad_value_is_refused_naming_the_problem(string defaults, string expected)
    {
        var error = Assert.Throws<ConfigValidationException>(() => Resolve(defaults));

        Assert.Contains(error.Errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_capacity_profile_with_an_slo_resolves_with_its_search_settings()
    {
        var settings = Resolve("  profile: capacity\n  capacity_by: rate\n  capacity_tolerance: 0.05\n  capacity_max_probes: 7\n  slo: { e2e_ms: 900 }\n  regression_threshold: 0.1\n  baseline_run_id: timer-20261128T020000Z\n");

        Assert.Equal(ProfileKind.Capacity, settings.Profile);
        Assert.Equal(Engine.Capacity.CapacityBy.Rate, settings.Get(SettingsTable.CapacityBy));
        Assert.Equal(0.05, settings.Get(SettingsTable.CapacityTolerance));
        Assert.Equal(7, settings.Get(SettingsTable.CapacityMaxProbes));
        Assert.Equal(0.1, settings.Get(SettingsTable.RegressionThreshold));
        Assert.Equal("timer-20261128T020000Z", settings.Get(SettingsTable.BaselineRunId));
    }

    [Fact]
    public void An_slo_given_on_the_command_line_or_in_a_queue_message_is_checked_the_same_way()
    {
        var flag = ConfigLoader.ParseSetting("slo", "ttft_ms=300,attainment=0.9", out var error);
        var refused = ConfigLoader.ParseSetting("slo", "ttft=300", out var flagError);
        var config = Load("  rate: 1\n");
        var queued = RunRequestParser.Parse("""{"environment":"dev","overrides":{"slo":{"ttft_ms":300,"itl_ms":40}}}""", config, "m-1", out var reason);
        var poisoned = RunRequestParser.Parse("""{"environment":"dev","overrides":{"slo":{"ttft_ms":-1}}}""", config, "m-2", out var poison);

        Assert.Null(error);
        Assert.Equal(new SloObjectives(300, null, null, 0.9), config.ResolveTargets("dev", [], flag).Single().Settings.Get(SettingsTable.Slo));
        Assert.Null(refused);
        Assert.Contains("unknown slo key 'ttft'", flagError, StringComparison.Ordinal);
        Assert.True(queued is not null, reason);
        Assert.Equal(new SloObjectives(300, 40, null), config.ResolveTargets("dev", [], queued.Overrides).Single().Settings.Get(SettingsTable.Slo));
        Assert.Null(poisoned);
        Assert.Contains("slo ttft_ms must be a number > 0", poison, StringComparison.Ordinal);
    }

    [Fact]
    public void The_run_budget_counts_every_probe_of_a_capacity_search()
    {
        var settings = Resolve("  profile: capacity\n  slo: { ttft_ms: 500 }\n  max_seconds: 60\n  capacity_max_probes: 10\n");
        var target = new ResolvedTarget("dev", new TargetConfig { Name = "t", Url = new Uri("http://127.0.0.1:1/v1"), Model = "m" }, settings);

        Assert.Equal(TimeSpan.FromMinutes(10) + RunBudget.Overhead, RunBudget.Worst(target));
        var exceeding = Assert.Single(RunBudget.Exceeding([target], TimeSpan.FromMinutes(10)));
        Assert.Contains("capacity of up to 10 probes", exceeding, StringComparison.Ordinal);
    }
}
