using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Functions.Triggers;
using Microsoft.Extensions.DependencyInjection;

namespace GuidellmFunctions.Functions.Tests.Triggers;

/// <summary>The function classes invoked directly against a real Azurite (blob archive and queues) and the simulator.</summary>
public sealed class TriggerTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-fn-").FullName;
    private ArchivedTargets _targets = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _targets = await ArchivedTargets.StartAsync(_dir);
        _services = Services(_targets.ConfigPath);
    }

    private ServiceProvider Services(string configLocation, Engine.Configuration.ConfigLoader? loader = null) => Support.FunctionsContainer.Build(_targets, _dir, configLocation, loader);

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _targets.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private BlobContainerClient Archive => _targets.Archive;

    private Task<List<string>> ArchivedReports() => _targets.ReportsAsync();

    [Fact]
    public async Task A_queue_message_produces_archived_reports_once_per_run_id()
    {
        var function = _services.GetRequiredService<OnDemandLoadTest>();
        const string message = """{"runId":"adhoc-42","environment":"development","targets":["llama"],"overrides":{"maxRequests":3},"requestedBy":"test"}""";

        var first = (await function.HandleAsync(message, "m-1", CancellationToken.None)).Outcome;
        var again = (await function.HandleAsync(message, "m-1", CancellationToken.None)).Outcome;

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
    [InlineData("""{"environment":"development","overrides":{"outputTokens":500}}""", "development/llama: output tokens 500 exceeds the cap 64 of on-demand runs (limits.output_tokens)")]
    [InlineData("""{"environment":"development","targets":["mistral"],"overrides":{"maxRequests":20}}""", "development/mistral: max_requests 20 exceeds the cap 10 of on-demand runs (limits.targets.development/mistral.requests)")]
    public async Task A_message_that_can_never_succeed_goes_to_the_poison_queue_at_once_with_the_reason(string message, string reason)
    {
        var result = await _services.GetRequiredService<OnDemandLoadTest>().HandleAsync(message, "m-bad", CancellationToken.None);

        Assert.Null(result.Outcome);
        Assert.Contains(reason, result.PoisonReason, StringComparison.Ordinal);
        var poison = new QueueClient(_targets.Azurite.ConnectionString, "guidellm-runs-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
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

    [Fact]
    public async Task The_config_can_be_a_blob_read_with_the_storage_connection_and_the_last_read_is_kept_when_it_goes()
    {
        var container = new BlobServiceClient(_targets.Azurite.ConnectionString).GetBlobContainerClient("config");
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("runner.yaml");
        await blob.UploadAsync(BinaryData.FromString(await File.ReadAllTextAsync(_targets.ConfigPath)));
        await using var services = Services(blob.Uri.ToString());
        _ = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GuidellmEngineOptions>>().Value;
        var function = services.GetRequiredService<NightlyLoadTest>();

        var first = await function.HandleAsync(new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero), CancellationToken.None);
        await blob.DeleteAsync();
        var second = await function.HandleAsync(new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero), CancellationToken.None);

        Assert.True(first.Succeeded);
        Assert.True(second.Succeeded);
        Assert.Equal(2, second.Results.Count);
        Assert.Equal(4, (await ArchivedReports()).Count);
    }

    [Fact]
    public async Task The_config_is_read_once_at_start_and_once_per_run_and_a_run_falls_back_to_the_start_up_read()
    {
        var container = new BlobServiceClient(_targets.Azurite.ConnectionString).GetBlobContainerClient("config");
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("counted.yaml");

        // ${LOADS} is looked up once per parse of the blob: it counts the reads that got the config.
        var text = (await File.ReadAllTextAsync(_targets.ConfigPath)).Replace("{ name: llama,", "{ name: llama, notes: \"${LOADS}\",", StringComparison.Ordinal);
        await blob.UploadAsync(BinaryData.FromString(text));
        var loads = 0;
        await using var services = Services(blob.Uri.ToString(), new Engine.Configuration.ConfigLoader(name => name == "LOADS" ? (++loads).ToString(System.Globalization.CultureInfo.InvariantCulture) : null));

        _ = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GuidellmEngineOptions>>().Value;
        Assert.Equal(1, loads);

        await blob.DeleteAsync();
        var function = services.GetRequiredService<NightlyLoadTest>();
        var first = await function.HandleAsync(new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero), CancellationToken.None);
        Assert.True(first.Succeeded);
        Assert.Equal("1", first.Results.Single(r => r.Report.Target == "llama").Report.Config.Notes);

        await blob.UploadAsync(BinaryData.FromString(text));
        var second = await function.HandleAsync(new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero), CancellationToken.None);
        Assert.Equal(2, loads);
        Assert.Equal("2", second.Results.Single(r => r.Report.Target == "llama").Report.Config.Notes);
    }

    [Fact]
    public async Task A_config_blob_that_cannot_be_read_fails_start_up_naming_it()
    {
        var missing = new BlobServiceClient(_targets.Azurite.ConnectionString).GetBlobContainerClient("config").GetBlobClient("absent.yaml").Uri.ToString();
        await using var services = Services(missing);

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GuidellmEngineOptions>>().Value);

        Assert.Contains("absent.yaml", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot read config blob: 404", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_cancelled_by_the_host_saves_its_partial_report_marked_cancelled_and_pushes_its_final_samples()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var config = Path.Combine(_dir, "pushing.yaml");
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(_targets.ConfigPath)) + $$"""

            remote_write:
              - url: "{{receiver.Url}}"
                push_interval: 1h
            """);
        await using var services = Services(config);
        using var shutdown = new CancellationTokenSource();
        const string message = """{"runId":"long-1","environment":"development","targets":["llama"],"overrides":{"maxRequests":1000000,"maxSeconds":600}}""";

        var running = services.GetRequiredService<OnDemandLoadTest>().HandleAsync(message, "m-long", shutdown.Token);
        while (_targets.Simulator.GroundTruth.Total < 5 && !running.IsCompleted)
        {
            await Task.Delay(20);
        }

        await shutdown.CancelAsync();
        var result = await running;

        var report = Assert.Single(result.Outcome!.Results).Report;
        Assert.Equal(Engine.Reporting.RunStatus.Cancelled, report.Status);
        var name = Assert.Single(await ArchivedReports());
        using var json = JsonDocument.Parse((await Archive.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal("cancelled", json.RootElement.GetProperty("status").GetString());
        Assert.True(json.RootElement.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty("successful").GetInt32() >= 1);
        var failedRuns = receiver.Accepted.Where(s => s.Labels.Any(l => l is { Key: "__name__", Value: "guidellm_benchmark_runs_failed_total" })).SelectMany(s => s.Samples).Select(p => p.Value).Where(v => !double.IsNaN(v));
        Assert.Equal(1, failedRuns.Max());
    }
}
