using System.Net;
using Azure.Storage.Queues;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Functions.Triggers;
using Microsoft.Extensions.DependencyInjection;

namespace GuidellmFunctions.Functions.Tests.Triggers;

/// <summary>The HTTP control functions invoked directly, as the other triggers are, against a real Azurite and the simulator.</summary>
public sealed class ControlFunctionsTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-fn-control-").FullName;
    private ArchivedTargets _targets = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _targets = await ArchivedTargets.StartAsync(_dir);
        _services = Support.FunctionsContainer.Build(_targets, _dir, _targets.ConfigPath);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _targets.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Targets_are_listed_a_triggered_run_goes_through_the_queue_and_its_results_come_from_the_archive()
    {
        var control = _services.GetRequiredService<ControlFunctions>();

        var (status, list) = await control.ListAsync(null, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["llama", "mistral"], list["targets"]!.AsArray().Select(t => (string)t!["name"]!));
        Assert.False((bool)list["paused"]!);
        Assert.Equal("no results available yet", (string)(await control.ResultsAsync(null, "llama", CancellationToken.None)).Body["message"]!);

        var (queued, answer) = await control.TriggerAsync(null, "llama", CancellationToken.None);
        Assert.Equal(HttpStatusCode.Accepted, queued);
        Assert.Equal("queued", (string)answer["status"]!);
        var queue = new QueueClient(_targets.Azurite.ConnectionString, "guidellm-runs", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var message = Assert.Single((await queue.ReceiveMessagesAsync(10)).Value);
        Assert.Equal((string)answer["message_id"]!, message.MessageId);

        var run = await _services.GetRequiredService<OnDemandLoadTest>().HandleAsync(message.Body.ToString(), message.MessageId, CancellationToken.None);
        Assert.True(run.Outcome!.Succeeded);
        Assert.Equal(["llama"], run.Outcome.Results.Select(r => r.Report.Target));

        var (ok, results) = await control.ResultsAsync(null, "llama", CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal(run.Outcome.RunId, (string)results["results"]!["run_id"]!);
        Assert.Equal("completed", (string)results["results"]!["status"]!);
        Assert.True((long)results["results"]!["SuccessfulRequests"]! > 0);
    }

    [Fact]
    public async Task Unknown_targets_and_environments_get_404_and_a_paused_schedule_stops_the_timer_and_triggered_runs()
    {
        var control = _services.GetRequiredService<ControlFunctions>();
        var (missing, error) = await control.TriggerAsync(null, "gpt-5", CancellationToken.None);
        Assert.Equal((HttpStatusCode.NotFound, "target not found"), (missing, (string)error["error"]!));
        Assert.Equal(HttpStatusCode.NotFound, (await control.ResultsAsync("production", "llama", CancellationToken.None)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await control.ListAsync("production", CancellationToken.None)).Status);

        Assert.True((bool)(await control.SetPausedAsync(true, CancellationToken.None)).Body["paused"]!);
        Assert.True((bool)(await control.ListAsync(null, CancellationToken.None)).Body["paused"]!);
        var (refused, why) = await control.TriggerAsync(null, "llama", CancellationToken.None);
        Assert.Equal((HttpStatusCode.Conflict, "the schedule is paused"), (refused, (string)why["error"]!));
        var night = await _services.GetRequiredService<NightlyLoadTest>().HandleAsync(new DateTimeOffset(2026, 12, 3, 2, 0, 0, TimeSpan.Zero), CancellationToken.None);
        Assert.Empty(night.Results);
        Assert.Equal(0, _targets.Simulator.CompletionRequestsReceived);
        Assert.Empty(await _targets.ReportsAsync());

        Assert.False((bool)(await control.SetPausedAsync(false, CancellationToken.None)).Body["paused"]!);
        Assert.Equal(HttpStatusCode.Accepted, (await control.TriggerAsync(null, "mistral", CancellationToken.None)).Status);
        var resumed = await _services.GetRequiredService<NightlyLoadTest>().HandleAsync(new DateTimeOffset(2026, 12, 3, 2, 0, 0, TimeSpan.Zero), CancellationToken.None);
        Assert.Equal(2, resumed.Results.Count);
    }
}
