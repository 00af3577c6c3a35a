using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Functions.Triggers;
using GuidellmFunctions.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Functions.Tests.Triggers;

/// <summary>The function classes invoked directly against a real Azurite (blob archive and queues) and the simulator.</summary>
public sealed class TriggerTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-fn-").FullName;
    private AzuriteServer _azurite = null!;
    private SimulatorServer _simulator = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync(queue: true);
        _simulator = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1 });
        var config = Path.Combine(_dir, "config.yaml");
        await File.WriteAllTextAsync(config, $$"""
            environments:
              development:
                targets:
                  - { name: llama, url: "{{_simulator.V1}}", model: "{{_simulator.Options.Model}}" }
                  - { name: mistral, url: "{{_simulator.V1}}", model: "{{_simulator.Options.Model}}" }
            defaults:
              profile: concurrent
              rate: 2
              max_requests: 4
              data_spec: "prompt_tokens=16,output_tokens=4"
            archive:
              connection: "{{_azurite.ConnectionString}}"
              container: guidellm-reports
            """);
        _services = new ServiceCollection()
            .AddGuidellmEngine(o => { o.ConfigPath = config; o.Environment = "development"; o.OutputDirectory = Path.Combine(_dir, "out"); })
            .AddSingleton(new TriggerSettings("guidellm-runs", _azurite.ConnectionString))
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddTransient<OnDemandLoadTest>()
            .AddTransient<NightlyLoadTest>()
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _simulator.DisposeAsync();
        await _azurite.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private BlobContainerClient Archive => new BlobServiceClient(_azurite.ConnectionString).GetBlobContainerClient("guidellm-reports");

    private async Task<List<string>> ArchivedReports()
    {
        var names = new List<string>();
        if (!(await Archive.ExistsAsync()).Value)
        {
            return names;
        }

        await foreach (var blob in Archive.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "development/", CancellationToken.None))
        {
            if (blob.Name.EndsWith(".json", StringComparison.Ordinal) && !blob.Name.StartsWith(".runs/", StringComparison.Ordinal))
            {
                names.Add(blob.Name);
            }
        }

        return names;
    }

    [Fact]
    public async Task A_queue_message_produces_archived_reports_once_per_run_id()
    {
        var function = _services.GetRequiredService<OnDemandLoadTest>();
        const string message = """{"runId":"adhoc-42","environment":"development","targets":["llama"],"overrides":{"maxRequests":3},"requestedBy":"test"}""";

        var first = await function.HandleAsync(message, "m-1", CancellationToken.None);
        var again = await function.HandleAsync(message, "m-1", CancellationToken.None);

        Assert.True(first!.Succeeded);
        Assert.True(first.Results[0].Saved!.Written);
        Assert.Empty(again!.Results);
        Assert.Equal(["development/llama"], again.AlreadyRun);
        var report = Assert.Single(await ArchivedReports());
        Assert.EndsWith("/adhoc-42.json", report, StringComparison.Ordinal);
        using var json = JsonDocument.Parse((await Archive.GetBlobClient(report).DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal("queue", json.RootElement.GetProperty("trigger").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty("successful").GetInt32());
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("""{"environment":"production"}""", "unknown environment 'production'")]
    [InlineData("""{"environment":"development","targets":["gpt-5"]}""", "unknown target 'gpt-5'")]
    [InlineData("""{"environment":"development","overrides":{"rate":-1}}""", "override rate")]
    public async Task A_message_that_can_never_succeed_goes_to_the_poison_queue_at_once_with_the_reason(string message, string reason)
    {
        var outcome = await _services.GetRequiredService<OnDemandLoadTest>().HandleAsync(message, "m-bad", CancellationToken.None);

        Assert.Null(outcome);
        var poison = new QueueClient(_azurite.ConnectionString, "guidellm-runs-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var received = (await poison.ReceiveMessagesAsync(10)).Value;
        var body = JsonDocument.Parse(Assert.Single(received).Body.ToString()).RootElement;
        Assert.Contains(reason, body.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(message, body.GetProperty("message").GetString());
        Assert.Empty(await ArchivedReports());
    }

    [Fact]
    public async Task The_timer_runs_every_target_under_one_run_id_per_occurrence()
    {
        var function = _services.GetRequiredService<NightlyLoadTest>();
        var firedAt = new DateTimeOffset(2026, 11, 28, 2, 0, 3, TimeSpan.Zero);

        var outcome = await function.HandleAsync(firedAt, CancellationToken.None);
        var retry = await function.HandleAsync(firedAt.AddSeconds(20), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(["llama", "mistral"], outcome.Results.Select(r => r.Report.Target).Order());
        Assert.All(outcome.Results, r => Assert.Equal("timer-20261128T020000Z", r.Report.RunId));
        Assert.Empty(retry.Results);
        Assert.Equal(2, retry.AlreadyRun.Count);
        Assert.Equal(2, (await ArchivedReports()).Count);
    }
}
