using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Tests.Load;

public sealed class RunIdsTests
{
    [Fact]
    public void Timer_run_ids_are_the_same_for_a_retried_occurrence()
    {
        var at = new DateTimeOffset(2026, 11, 28, 2, 0, 3, TimeSpan.Zero);

        Assert.Equal("timer-20261128T020000Z", RunIds.ForTimer(at));
        Assert.Equal(RunIds.ForTimer(at), RunIds.ForTimer(at.AddSeconds(40).ToOffset(TimeSpan.FromHours(2))));
        Assert.NotEqual(RunIds.ForTimer(at), RunIds.ForTimer(at.AddMinutes(1)));
    }

    [Fact]
    public void New_run_ids_are_valid_and_distinct()
    {
        var a = RunIds.New(TimeProvider.System);
        var b = RunIds.New(TimeProvider.System);

        Assert.True(RunIds.IsValid(a));
        Assert.NotEqual(a, b);
        Assert.False(RunIds.IsValid("../etc"));
    }
}
