using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace GuidellmFunctions.Engine.Tests.Export;

/// <summary>The exporter as the engine's DI registration makes it: over the IHttpClientFactory client, with the receiver's retry policy.</summary>
public sealed class RemoteWriteExporterFactoryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private ServiceProvider Provider()
    {
        var config = _dir.Write("ok.yaml", "environments:\n  dev:\n    targets:\n      - { name: a, url: 'http://127.0.0.1:1', model: m }\n");
        return new ServiceCollection().AddGuidellmEngine(o => { o.ConfigPath = config; o.Environment = "dev"; }).BuildServiceProvider();
    }

    [Fact]
    public void The_remote_write_client_leaves_timing_to_the_policy()
    {
        using var provider = Provider();
        var options = provider.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get(RemoteWriteClient.HttpClientName);
        using var http = new HttpClient();

        foreach (var configure in options.HttpClientActions)
        {
            configure(http);
        }

        Assert.Equal(Timeout.InfiniteTimeSpan, http.Timeout);
    }

    [Fact]
    public async Task An_exporter_from_the_factory_retries_a_503_and_delivers_every_step_of_the_burst()
    {
        using var provider = Provider();
        await using var receiver = await FakeReceiver.StartAsync();
        receiver.Then(503, body: "ingester unavailable");
        var config = new RemoteWriteConfig { Url = receiver.Url, MinBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(20) };
        using var exporter = provider.GetRequiredService<RemoteWriteExporterFactory>().Create([config], new SampleSpool(Path.Combine(_dir.Path, "spool")));
        var target = exporter.ForTarget(BurstMetricsTests.Target);
        var stage = TargetExporterTests.Stage();

        target.OnStageStarted(stage);
        target.OnRequestCompleted(stage, BurstMetricsTests.Success(), RequestPhase.Measured);
        var report = await target.OnRunCompletedAsync(TargetExporterTests.Report(), CancellationToken.None);

        Assert.Equal([503, 204, 204, 204], receiver.Requests.Select(r => r.Status));
        var export = Assert.Single(report.Export!);
        Assert.Equal(receiver.Accepted.Sum(s => s.SampleCount), export.SamplesDelivered);
        Assert.Equal(0, export.SamplesSpooled + export.SamplesRejected);
        Assert.Empty(export.Errors);
    }
}
