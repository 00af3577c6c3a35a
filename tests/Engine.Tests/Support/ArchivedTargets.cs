using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// Azurite (blob and queue) and a simulator, with a config of two targets (<c>development/llama</c> and
/// <c>development/mistral</c>, 4 requests each) archiving to that Azurite: what the queue trigger and worker tests run.
/// </summary>
public sealed class ArchivedTargets : IAsyncDisposable
{
    private ArchivedTargets(AzuriteServer azurite, SimulatorServer simulator, string configPath)
    {
        Azurite = azurite;
        Simulator = simulator;
        ConfigPath = configPath;
    }

    public AzuriteServer Azurite { get; }

    public SimulatorServer Simulator { get; }

    /// <summary>The config file, written in the directory given to <see cref="StartAsync"/>.</summary>
    public string ConfigPath { get; }

    /// <summary>The reports container.</summary>
    public BlobContainerClient Archive => new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient("guidellm-reports");

    public static async Task<ArchivedTargets> StartAsync(string dir)
    {
        var azurite = await AzuriteServer.StartAsync(queue: true);
        var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1 });
        var config = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(config, $$"""
            environments:
              development:
                targets:
                  - { name: llama, url: "{{simulator.V1}}", model: "{{simulator.Options.Model}}" }
                  - { name: mistral, url: "{{simulator.V1}}", model: "{{simulator.Options.Model}}" }
            defaults:
              profile: concurrent
              rate: 2
              max_requests: 4
              data_spec: "prompt_tokens=16,output_tokens=4"
            archive:
              connection: "{{azurite.ConnectionString}}"
              container: guidellm-reports
            limits:
              rate: 10
              streams: 8
              seconds: 600
              requests: 1000000
              output_tokens: 64
              targets:
                development/mistral: { requests: 10 }
            """);
        return new ArchivedTargets(azurite, simulator, config);
    }

    /// <summary>The names of the archived reports of <c>development</c> (not their request records or run markers).</summary>
    public Task<List<string>> ReportsAsync() => ReportsAsync(Archive);

    /// <summary>The names of the reports of <c>development</c> archived in <paramref name="archive"/>.</summary>
    public static async Task<List<string>> ReportsAsync(BlobContainerClient archive)
    {
        var names = new List<string>();
        if (!(await archive.ExistsAsync()).Value)
        {
            return names;
        }

        await foreach (var blob in archive.GetBlobsAsync(BlobTraits.None, BlobStates.None, "development/", CancellationToken.None))
        {
            if (blob.Name.EndsWith(".json", StringComparison.Ordinal))
            {
                names.Add(blob.Name);
            }
        }

        return names;
    }

    public async ValueTask DisposeAsync()
    {
        await Simulator.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
