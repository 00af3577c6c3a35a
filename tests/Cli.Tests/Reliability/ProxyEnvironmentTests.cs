using Azure.Storage.Blobs;
using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Cli.Tests.Reliability;

/// <summary>
/// <c>guidellm-runner run</c> as its own process with HTTP_PROXY and NO_PROXY in its environment, as behind a corporate
/// egress proxy (issue 22 defect 2): the target's requests and the archive's are in the proxy's log (tinyproxy), and a
/// NO_PROXY entry sends the remote_write receiver direct, so every client of the engine resolves the same way.
/// </summary>
public sealed class ProxyEnvironmentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-proxy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Targets_and_storage_go_through_the_environments_proxy_and_no_proxy_sends_a_receiver_direct()
    {
        await using var proxy = await Tinyproxy.StartAsync();
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 2, ItlMs = 1, OutputTokens = 4 });
        await using var azurite = await AzuriteServer.StartAsync();
        await using var receiver = await FakeReceiver.StartAsync();
        var config = Path.Combine(_dir, "config.yaml");
        await File.WriteAllTextAsync(config, $$"""
            environments:
              proxied:
                targets:
                  - { name: sim, url: "{{simulator.V1}}", model: "{{simulator.Options.Model}}" }
            defaults:
              profile: constant
              rate: 10
              max_requests: 5
              data_spec: "prompt_tokens=8,output_tokens=4"
            remote_write:
              - url: "{{receiver.Url}}"
            archive:
              connection: "{{azurite.ConnectionString}}"
            """);
        var environment = new Dictionary<string, string>
        {
            ["HTTP_PROXY"] = $"http://127.0.0.1:{proxy.Port}",
            ["NO_PROXY"] = $"127.0.0.1:{receiver.Url.Port}",
        };

        using (var run = RunnerProcess.Start(environment, "run", "--config", config, "--environment", "proxied", "--output", Path.Combine(_dir, "out")))
        {
            Assert.True(await run.WaitAsync(TimeSpan.FromSeconds(120)) == 0, run.Output);
        }

        var requests = Tinyproxy.Requests(proxy);
        Assert.Contains($"POST http://127.0.0.1:{simulator.V1.Port}/v1/chat/completions HTTP/1.1", requests);
        Assert.Contains(requests, r => r.StartsWith($"PUT http://127.0.0.1:{azurite.Port}/devstoreaccount1/guidellm-reports/", StringComparison.Ordinal));
        Assert.DoesNotContain(requests, r => r.Contains($":{receiver.Url.Port}/", StringComparison.Ordinal));
        Assert.NotEmpty(receiver.Accepted);
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("guidellm-reports");
        Assert.True(await container.ExistsAsync());
    }
}
