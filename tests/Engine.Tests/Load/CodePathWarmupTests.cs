using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Tests.Load;

public sealed class CodePathWarmupTests
{
    [Fact]
    public async Task The_canned_stage_runs_the_streaming_and_whole_body_paths_to_success()
    {
        var report = await CodePathWarmup.RunStageAsync();

        Assert.Equal("max_requests", report.StopReason);
        Assert.Equal(4, report.Summary.Requests.Successful);
        Assert.Equal(0, report.Summary.Requests.Failed);
        Assert.Equal(8, report.Summary.Tokens.Output);
        Assert.Equal(4, report.Summary.TtftMs.Count);
    }

    [Fact]
    public async Task It_runs_once_per_process()
    {
        var first = CodePathWarmup.RunOnceAsync();

        Assert.Same(first, CodePathWarmup.RunOnceAsync());
        Assert.Null(await first);
    }
}
