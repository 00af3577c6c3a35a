using GuidellmFunctions.Simulator.Scheduling;

namespace GuidellmFunctions.Simulator.Tests.Scheduling;

public sealed class RequestSignalTests
{
    [Fact]
    public async Task A_wake_up_before_the_wait_is_kept_and_consumed_once()
    {
        var signal = new RequestSignal();

        signal.Set();
        signal.Set();

        Assert.True(signal.WaitAsync().IsCompleted);
        var next = signal.WaitAsync();
        Assert.False(next.IsCompleted);
        signal.Set();
        await next.AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(signal.WaitAsync().IsCompleted);
    }
}
