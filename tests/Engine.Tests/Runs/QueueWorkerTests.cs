using System.Text.Json;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Runs;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace GuidellmFunctions.Engine.Tests.Runs;

/// <summary>The KEDA worker against a real Azurite queue and the simulator.</summary>
public sealed class QueueWorkerTests : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-worker-").FullName;
    private readonly ServiceProvider _engine = new ServiceCollection().AddGuidellmEngine(_ => { }).BuildServiceProvider();
    private AzuriteServer _azurite = null!;
    private SimulatorServer _simulator = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync(queue: true);
        _simulator = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1 });
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    public void Dispose()
    {
        _engine.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private QueueWorker Worker(string configLocation, QueueWorkerOptions options, out RunQueue queue)
    {
        queue = new RunQueue(_azurite.ConnectionString, "runs");
        // The config is read by the handler at each message, as the worker reads it, not validated up front: a config
        // that cannot be read must leave messages on the queue.
        var handler = new OnDemandRunHandler(_engine.GetRequiredService<LoadTestService>(), new ConfigSource(configLocation, _azurite.ConnectionString), queue, Path.Combine(_dir, "out"));
        return new QueueWorker(handler, options);
    }

    private string Config(string defaults)
    {
        var path = Path.Combine(_dir, "config.yaml");
        File.WriteAllText(path, $$"""
            environments:
              development:
                targets:
                  - { name: llama, url: "{{_simulator.V1}}", model: "{{_simulator.Options.Model}}" }
            defaults:
              data_spec: "prompt_tokens=16,output_tokens=4"
            {{defaults}}
            """);
        return path;
    }

    [Fact]
    public async Task A_message_that_keeps_failing_is_retried_then_moved_to_the_poison_queue_with_the_count()
    {
        var missingConfig = new Uri($"http://127.0.0.1:{_azurite.Port}/devstoreaccount1/config/absent.yaml").ToString();
        var worker = Worker(missingConfig, new QueueWorkerOptions { RetryDelay = TimeSpan.Zero, MaxDequeueCount = 2 }, out var queue);
        await queue.SendAsync("""{"environment":"development"}""");

        var summary = await worker.RunAsync(drain: true);

        Assert.False(summary.Succeeded);
        Assert.Equal(2, summary.Messages.Count(m => m.Error is not null));
        Assert.All(summary.Messages.Where(m => m.Error is not null), m => Assert.Contains("cannot read config blob: 404", m.Error, StringComparison.Ordinal));
        Assert.Contains("delivered 3 times without completing", summary.Messages[^1].PoisonReason, StringComparison.Ordinal);
        var poisoned = Assert.Single((await queue.Poison.ReceiveMessagesAsync(10)).Value);
        Assert.Contains("delivered 3 times", JsonDocument.Parse(poisoned.Body.ToString()).RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await queue.Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_message_stays_invisible_while_its_run_outlasts_the_visibility_timeout_and_is_deleted_after()
    {
        var worker = Worker(Config("  profile: concurrent\n  rate: 1\n  max_seconds: 5"), new QueueWorkerOptions { VisibilityTimeout = TimeSpan.FromSeconds(2) }, out var queue);
        await queue.SendAsync("""{"runId":"long","environment":"development"}""");

        var running = worker.RunAsync(drain: false);
        while (_simulator.GroundTruth.Total == 0 && !running.IsCompleted)
        {
            await Task.Delay(20);
        }

        var seenByAnotherWorker = 0;
        while (!running.IsCompleted)
        {
            seenByAnotherWorker += (await queue.Receiver.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Value.Length;
            await Task.Delay(250);
        }

        var summary = await running;
        Assert.True(summary.Succeeded);
        Assert.Equal("long", Assert.Single(summary.Messages).Outcome!.RunId);
        Assert.Equal(0, seenByAnotherWorker);
        Assert.Equal(0, (await queue.Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }
}
