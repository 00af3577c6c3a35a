using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Cli.Tests.Commands;

/// <summary><c>discovery:</c> through the verbs: what would run, and a run of a discovered target.</summary>
public sealed class DiscoveryCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-discovery-").FullName;
    private readonly StringWriter _out = new();

    public void Dispose()
    {
        _out.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Config(Uri v1, int deadPort)
    {
        var path = Path.Combine(_dir, "discovery.yaml");
        File.WriteAllText(path, $$"""
            environments:
              dev:
                targets:
                  - { name: listed, url: "{{v1}}", model: "simulated/llama-3.1-8b-instruct" }
            defaults: { profile: concurrent, rate: 1, max_requests: 2, data_spec: "prompt_tokens=8,output_tokens=4" }
            discovery:
              enabled: true
              environments:
                dev: { endpoint: "{{v1}}/models" }
                gone: { endpoint: "http://127.0.0.1:{{deadPort}}/v1/models" }
            """);
        return path;
    }

    [Fact]
    public async Task Validate_and_list_targets_show_the_discovered_target_and_the_failed_router()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions());
        var path = Config(server.V1, Engine.Tests.Support.LoopbackPorts.Free());

        Assert.Equal(0, await CliInvoker.RunAsync(_out, CancellationToken.None, "validate", "-c", path));
        Assert.Equal(0, await CliInvoker.RunAsync(_out, CancellationToken.None, "run", "-c", path, "-e", "dev", "--list-targets"));

        var text = _out.ToString();
        Assert.Contains("2 target(s)", text, StringComparison.Ordinal);
        Assert.Contains("dev/simulated-llama-3.1-8b-instruct: model simulated/llama-3.1-8b-instruct ->", text, StringComparison.Ordinal);
        Assert.Contains("(discovered at " + server.V1 + "/models)", text, StringComparison.Ordinal);
        Assert.Contains("discovery.environments.gone: model discovery failed: cannot reach the model list", text, StringComparison.Ordinal);
        Assert.Equal(0, server.CompletionRequestsReceived);
    }

    [Fact]
    public async Task Run_load_tests_the_discovered_target_under_its_name_and_model()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 2, ItlMs = 1 });
        var path = Config(server.V1, Engine.Tests.Support.LoopbackPorts.Free());
        var output = Path.Combine(_dir, "out");

        Assert.Equal(0, await CliInvoker.RunAsync(_out, CancellationToken.None, "run", "-c", path, "-e", "dev", "-t", "simulated-llama-3.1-8b-instruct", "-o", output));

        var report = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(output, "dev", "simulated-llama-3.1-8b-instruct"), "*.json", SearchOption.AllDirectories).Single(f => !f.Contains("shard", StringComparison.Ordinal)))).RootElement;
        Assert.Equal("simulated-llama-3.1-8b-instruct", report.GetProperty("target").GetString());
        Assert.Equal("simulated/llama-3.1-8b-instruct", report.GetProperty("model").GetString());
        Assert.Equal("completed", report.GetProperty("status").GetString());
        Assert.Equal(2, server.CompletionRequestsReceived);
    }
}
