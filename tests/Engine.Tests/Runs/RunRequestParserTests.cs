using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Runs;

namespace GuidellmFunctions.Engine.Tests.Runs;

public sealed class RunRequestParserTests
{
    private static readonly RunnerConfig Config = new ConfigLoader(_ => null).LoadText(
        """
        environments:
          staging:
            targets:
              - { name: llama, url: "http://127.0.0.1:1/v1", model: m, rate: 2 }
              - { name: mistral, url: "http://127.0.0.1:2/v1", model: n }
        defaults:
          data_spec: "prompt_tokens=256,output_tokens=128"
        """, "c.yaml");

    [Fact]
    public void A_full_message_is_read_with_its_overrides_applied_over_the_config()
    {
        var request = RunRequestParser.Parse(
            """{"runId":"adhoc-1","environment":"staging","targets":["llama"],"overrides":{"rate":5,"maxSeconds":"20","promptTokens":512,"profile":"poisson"},"requestedBy":"ops@example.com"}""",
            Config, "queue-msg-9", out var reason);

        Assert.Null(reason);
        Assert.Equal("adhoc-1", request!.RunId);
        Assert.Equal(["llama"], request.Targets);
        Assert.Equal("ops@example.com", request.RequestedBy);
        var target = Config.ResolveTargets(request.Environment, request.Targets, request.Overrides).Single();
        Assert.Equal(5, target.Settings.Rate);
        Assert.Equal(ProfileKind.Poisson, target.Settings.Profile);
        Assert.Equal(TimeSpan.FromSeconds(20), target.Settings.MaxDuration);
        Assert.Equal(512, target.Settings.Data.PromptTokens.Mean);
        Assert.Equal(128, target.Settings.Data.OutputTokens.Mean);
    }

    [Fact]
    public void A_minimal_message_runs_every_target_under_the_fallback_run_id()
    {
        var request = RunRequestParser.Parse("""{"environment":"staging"}""", Config, "queue-msg-9", out var reason);

        Assert.Null(reason);
        Assert.Equal("queue-msg-9", request!.RunId);
        Assert.Empty(request.Targets);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("""{"targets":["llama"]}""", "environment is required")]
    [InlineData("""{"environment":"prod"}""", "unknown environment 'prod' (known: staging)")]
    [InlineData("""{"environment":"staging","targets":["gpt"]}""", "unknown target 'gpt' (known: llama, mistral)")]
    [InlineData("""{"environment":"staging","mergeGrace":"soon"}""", "mergeGrace must be a duration above 0 and at most 24h")]
    [InlineData("""{"environment":"staging","mergeGrace":"48h"}""", "mergeGrace must be a duration above 0 and at most 24h")]
    [InlineData("""{"environment":"staging","overrides":{"rate":"fast"}}""", "override rate: must be a number > 0, got 'fast'")]
    [InlineData("""{"environment":"staging","overrides":{"colour":"blue"}}""", "unknown override \"colour\"")]
    [InlineData("""{"environment":"staging","runId":"../etc"}""", "runId must be")]
    [InlineData("""{"environment":"staging","priority":1}""", "unknown field \"priority\"")]
    [InlineData("""{"environment":"staging","overrides":{"maxSeconds":0}}""", "a burst must be bounded")]
    public void A_message_that_can_never_succeed_gets_a_reason_naming_the_problem(string message, string expected)
    {
        Assert.Null(RunRequestParser.Parse(message, Config, "m", out var reason));
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }
}
