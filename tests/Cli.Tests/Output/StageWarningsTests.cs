using GuidellmFunctions.Cli.Output;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.ServerMetrics;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Tests.Output;

/// <summary>The lines under the results table: a stage that is not valid, server figures missing or with a note.</summary>
public sealed class StageWarningsTests
{
    [Fact]
    public void A_stage_not_valid_and_the_servers_notes_are_warned_and_a_valid_stage_says_nothing()
    {
        var valid = Stage(0) with { Validity = new ValidityReport { Valid = true, Reasons = [] }, Server = new ServerReport { Source = "target", Available = true } };
        var starved = Stage(1) with
        {
            Validity = new ValidityReport { Valid = false, Reasons = ["thread_pool_lag: the runner's thread pool ran work 300 ms late at p95 [sic]"] },
            Server = new ServerReport { Source = "target", Available = true, Notes = ["the server counted 40 requests, more than the 30 the runner sent in this stage"] },
        };
        var dark = Stage(2) with { Server = new ServerReport { Source = "url", Available = false, Error = "GET http://127.0.0.1:1/metrics: HTTP 404" } };

        var text = Write(valid, starved, dark);

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("warning: dev/a stage 1 (constant) is not valid, the runner may have limited it: thread_pool_lag: the runner's thread pool ran work 300 ms late at p95 [sic]", lines[0]);
        Assert.Equal("warning: dev/a stage 1 (constant) server figures: the server counted 40 requests, more than the 30 the runner sent in this stage", lines[1]);
        Assert.Equal("note: dev/a stage 2 (constant) has no server figures: GET http://127.0.0.1:1/metrics: HTTP 404", lines[2]);
    }

    private static string Write(params BenchmarkReport[] stages)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 400;
        var report = new RunReport
        {
            RunId = "r", Environment = "dev", Target = "a", Model = "m", Status = RunStatus.Completed,
            StartedAt = DateTimeOffset.UnixEpoch, EndedAt = DateTimeOffset.UnixEpoch, Trigger = RunTrigger.Cli,
            Config = null!, Benchmarks = stages,
        };
        StageWarnings.Write(console, [new TargetRunResult(report, null)]);
        return output.ToString();
    }

    private static BenchmarkReport Stage(int index) => new()
    {
        Index = index,
        Profile = new ProfileReport("constant", 1, null, null, 10, null, 0, 0),
        StopReason = "max_seconds",
        Summary = ServerFiguresTests.Summary(DistributionSummary.Empty),
    };
}
