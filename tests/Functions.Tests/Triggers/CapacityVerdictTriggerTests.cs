using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Functions.Triggers;
using Microsoft.Extensions.DependencyInjection;

namespace GuidellmFunctions.Functions.Tests.Triggers;

/// <summary>
/// Issue 18's check from the Functions host: capacity searches run by the timer and by the queue trigger land, with
/// their verdicts against the run before, in the archived reports in a real Azurite and in a real Prometheus.
/// </summary>
public sealed class CapacityVerdictTriggerTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-fn-capacity-").FullName;
    private CapacityVerdictTargets _targets = null!;

    public async Task InitializeAsync() => _targets = await CapacityVerdictTargets.StartAsync(_dir);

    public async Task DisposeAsync()
    {
        await _targets.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Timer_and_queue_runs_archive_and_push_their_capacity_and_a_verdict_against_the_run_before()
    {
        await using var services = Support.FunctionsContainer.Build(_targets.Azurite, _dir, _targets.ConfigPath);
        var timer = services.GetRequiredService<NightlyLoadTest>();
        var queue = services.GetRequiredService<OnDemandLoadTest>();

        var nights = new[] { new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero) };
        foreach (var night in nights)
        {
            Assert.True((await timer.HandleAsync(night, CancellationToken.None)).Succeeded);
        }

        foreach (var runId in (string[])["capacity-q1", "capacity-q2"])
        {
            var message = $$"""{"runId":"{{runId}}","environment":"development","targets":["llama"],"requestedBy":"test"}""";
            Assert.True((await queue.HandleAsync(message, runId, CancellationToken.None)).Outcome!.Succeeded);
        }

        await _targets.AssertLandedAsync(null, "timer-20261128T020000Z", "timer-20261129T020000Z", "capacity-q1", "capacity-q2");
    }
}
