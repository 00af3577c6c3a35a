using System.Text.Json;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Tests.Reporting;

/// <summary>A report's status and trigger are enums in code and the same strings as ever in the JSON.</summary>
public sealed class RunReportJsonTests
{
    private static RunReport Report(RunStatus status, RunTrigger trigger) => new()
    {
        RunId = "r-1",
        Environment = "dev",
        Target = "t",
        Model = "m",
        Status = status,
        Trigger = trigger,
        Config = new TargetReport { Endpoint = "http://127.0.0.1:1/v1/chat/completions", Settings = EffectiveConfig.Settings(new BenchmarkSettings()) },
        Benchmarks = [],
    };

    [Theory]
    [InlineData(RunStatus.Completed, RunTrigger.Timer, "completed", "timer")]
    [InlineData(RunStatus.Failed, RunTrigger.Queue, "failed", "queue")]
    [InlineData(RunStatus.Cancelled, RunTrigger.Cli, "cancelled", "cli")]
    public void Status_and_trigger_are_written_and_read_by_their_old_names(RunStatus status, RunTrigger trigger, string statusName, string triggerName)
    {
        var json = JsonSerializer.Serialize(Report(status, trigger), ReportJsonContext.Default.RunReport);
        var root = JsonDocument.Parse(json).RootElement;

        Assert.Equal(statusName, root.GetProperty("status").GetString());
        Assert.Equal(triggerName, root.GetProperty("trigger").GetString());
        Assert.Equal(statusName, ReportNames.Of(status));
        var read = JsonSerializer.Deserialize(json, ReportJsonContext.Default.RunReport)!;
        Assert.Equal((status, trigger), (read.Status, read.Trigger));
    }

    [Fact]
    public void A_report_written_before_the_settings_table_is_read_with_its_config_fields_kept()
    {
        const string old = """
            {"schemaVersion":1,"runId":"r","environment":"dev","target":"t","model":"m","status":"completed",
             "trigger":"queue","config":{"endpoint":"http://x/v1/chat/completions","requestType":"chat_completions",
             "profile":"constant","rate":2,"maxSeconds":30,"dataSpec":"prompt_tokens=1,output_tokens=1","headers":[]},
             "benchmarks":[]}
            """;

        var report = JsonSerializer.Deserialize(old, ReportJsonContext.Default.RunReport)!;

        Assert.Equal(RunStatus.Completed, report.Status);
        Assert.Equal(RunTrigger.Queue, report.Trigger);
        Assert.Equal("constant", report.Config.Settings["profile"].GetString());
        Assert.Equal(30, report.Config.Settings["maxSeconds"].GetDouble());
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(old.Replace("\"completed\"", "0", StringComparison.Ordinal), ReportJsonContext.Default.RunReport));
    }
}
