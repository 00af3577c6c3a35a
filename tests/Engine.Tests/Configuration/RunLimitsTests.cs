using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Runs;

namespace GuidellmFunctions.Engine.Tests.Configuration;

/// <summary><c>limits:</c>: what an on-demand message may ask, read per environment and target, and checked on the run it causes.</summary>
public sealed class RunLimitsTests
{
    private const string Targets = """
        environments:
          dev:
            targets:
              - { name: a, url: "http://127.0.0.1:1/v1", model: m }
              - { name: b, url: "http://127.0.0.1:1/v1", model: m }
          prod:
            targets:
              - { name: a, url: "http://127.0.0.1:1/v1", model: m }
        defaults:
          profile: constant
          rate: 2
          max_seconds: 30

        """;

    private static RunnerConfig Load(string limits) => new ConfigLoader(_ => null).LoadText(Targets + limits, "limits.yaml");

    private static string? Reason(RunnerConfig config, string message)
    {
        RunRequestParser.Parse(message, config, "r", out var reason);
        return reason;
    }

    [Fact]
    public void Without_limits_the_built_in_caps_apply_and_a_plain_message_passes()
    {
        var config = Load(string.Empty);

        Assert.Null(Reason(config, """{"environment":"dev"}"""));
        Assert.Equal(
            "dev/a: rate 21 exceeds the cap 20 of on-demand runs (limits.rate); dev/a: max_seconds none exceeds the cap 600 of on-demand runs (limits.seconds); "
            + "dev/a: prompt tokens 40000 exceeds the cap 32768 of on-demand runs (limits.prompt_tokens); dev/a: output tokens 5000 exceeds the cap 4096 of on-demand runs (limits.output_tokens)",
            Reason(config, """{"environment":"dev","targets":["a"],"overrides":{"rate":21,"maxSeconds":0,"maxRequests":100,"promptTokens":40000,"outputTokens":5000}}"""));
        Assert.Contains("dev/a: max_concurrency 256 exceeds the cap 64 of on-demand runs (limits.streams)", Reason(config, """{"environment":"dev","targets":["a"],"overrides":{"profile":"throughput"}}"""), StringComparison.Ordinal);
        Assert.Null(Reason(config, """{"environment":"dev","targets":["a"],"overrides":{"profile":"throughput","maxConcurrency":64,"outputTokens":5000,"maxTokens":4096}}"""));
    }

    [Fact]
    public void Environment_and_target_caps_override_the_ones_above_key_by_key()
    {
        var config = Load("""
            limits:
              targets:
                dev/b: { rate: 50 }
              rate: 5
              streams: 4
              environments:
                prod: { rate: 1, seconds: 10m }
            """);

        Assert.Contains("dev/a: rate 6 exceeds the cap 5 of on-demand runs (limits.rate)", Reason(config, """{"environment":"dev","overrides":{"rate":6}}"""), StringComparison.Ordinal);
        Assert.DoesNotContain("dev/b", Reason(config, """{"environment":"dev","overrides":{"rate":6}}"""), StringComparison.Ordinal);
        Assert.Equal("prod/a: rate 2 exceeds the cap 1 of on-demand runs (limits.environments.prod.rate)", Reason(config, """{"environment":"prod"}"""));
        Assert.Equal("dev/b: rate (streams) 5 exceeds the cap 4 of on-demand runs (limits.targets.dev/b.streams)", Reason(config, """{"environment":"dev","targets":["b"],"overrides":{"profile":"concurrent","rate":5}}"""));
    }

    [Fact]
    public void Bad_limits_are_config_errors_naming_each_key()
    {
        var error = Assert.Throws<ConfigValidationException>(() => Load("""
            limits:
              rate: fast
              streams: 0
              colour: blue
              targets:
                just-a-name: { rate: 1 }
              environments:
                prod: { seconds: -1, burst: 3 }
            """));

        Assert.Equal(
            ["limits.rate", "limits.streams", "limits.colour", "limits.environments.prod.seconds", "limits.environments.prod.burst", "limits.targets.just-a-name"],
            error.Errors.Select(e => e.Key));
        Assert.All(error.Errors, e => Assert.True(e.Line > 0));
    }
}
