using System.Text.Json;
using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Cli.Tests.Commands;

/// <summary>
/// Real runs against the simulator, as a nightly schedule makes them: the second run's report holds a verdict against the
/// first, a run against a server whose tokens come 20% slower is judged regressed, and <c>compare</c> prints the table
/// and exits 0, 1 or 2.
/// </summary>
public sealed class VerdictCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-verdict-").FullName;
    private readonly StringWriter _out = new();

    public void Dispose()
    {
        _out.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<int> Run(params string[] args) => CliInvoker.RunAsync(_out, CancellationToken.None, args);

    private static SimulatorOptions Server(double itlMs, int port = 0) => new() { TtftMs = 20, ItlMs = itlMs, ItlLoadFactor = 0, Port = port };

    /// <summary>Runs the config once into the output directory and returns the new report's path.</summary>
    private async Task<string> RunOnceAsync(string config, string output)
    {
        var before = Directory.Exists(output) ? Directory.GetFiles(output, "*.json", SearchOption.AllDirectories).ToHashSet() : [];
        Assert.Equal(0, await Run("run", "--config", config, "--environment", "dev", "--output", output));
        return Assert.Single(Directory.GetFiles(output, "*.json", SearchOption.AllDirectories), p => !before.Contains(p));
    }

    private static JsonElement Verdict(string report) => JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("verdict");

    [Fact]
    public async Task Each_run_is_judged_against_the_last_one_a_slower_server_is_regressed_and_compare_exits_by_the_verdict()
    {
        var output = Path.Combine(_dir, "out");
        string config, first, second, third;
        int port;
        await using (var server = await SimulatorServer.StartAsync(Server(itlMs: 5)))
        {
            port = server.BaseAddress.Port;
            config = Path.Combine(_dir, "config.yaml");
            await File.WriteAllTextAsync(config, $$"""
                environments:
                  dev:
                    targets:
                      - { name: sim, url: "{{server.V1}}", model: "{{server.Options.Model}}" }
                defaults:
                  profile: concurrent
                  rate: 8
                  max_seconds: 3
                  data_spec: "prompt_tokens=16,output_tokens=32"
                """);
            first = await RunOnceAsync(config, output);
            second = await RunOnceAsync(config, output);
        }

        await using (await SimulatorServer.StartAsync(Server(itlMs: 6, port)))
        {
            third = await RunOnceAsync(config, output);
        }

        Assert.Equal("no_baseline", Verdict(first).GetProperty("result").GetString());
        var unchanged = Verdict(second);
        Assert.Equal(Path.GetFileNameWithoutExtension(first), unchanged.GetProperty("baselineRunId").GetString());
        Assert.True(unchanged.GetProperty("result").GetString() == "unchanged", unchanged.ToString());
        var regressed = Verdict(third);
        Assert.Equal(Path.GetFileNameWithoutExtension(second), regressed.GetProperty("baselineRunId").GetString());
        Assert.Equal("regressed", regressed.GetProperty("result").GetString());
        var tpot = regressed.GetProperty("metrics").EnumerateArray().First(m => m.GetProperty("name").GetString()!.StartsWith("tpot", StringComparison.Ordinal));
        Assert.Equal("regressed", tpot.GetProperty("result").GetString());
        Assert.InRange(tpot.GetProperty("change").GetDouble(), 0.1, 0.3);
        Assert.True(tpot.GetProperty("low").GetDouble() > 0, "the interval excludes no change");
        Assert.Equal(
            ["name", "baseline", "current", "change", "low", "high", "result"],
            tpot.EnumerateObject().Select(p => p.Name));

        // The report's series (what export and the push send) carry the verdict per metric: 1 regressed, 0 unchanged.
        var series = JsonDocument.Parse(File.ReadAllText(third)).RootElement.GetProperty("series").EnumerateArray()
            .Where(x => x.GetProperty("name").GetString() == "guidellm_verdict_result")
            .ToDictionary(x => x.GetProperty("labels").GetProperty("metric").GetString()!, x => x.GetProperty("value").GetDouble());
        Assert.Equal(1, series[tpot.GetProperty("name").GetString()!]);
        Assert.Equal(regressed.GetProperty("metrics").GetArrayLength(), series.Count);

        _out.GetStringBuilder().Clear();
        Assert.Equal(1, await Run("compare", third, first));
        Assert.Contains("regressed", _out.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await Run("compare", second, first));

        var lone = Path.Combine(_dir, "lone.json");
        File.Copy(first, lone);
        _out.GetStringBuilder().Clear();
        Assert.Equal(2, await Run("compare", second, lone));
        Assert.Contains($"{lone}: its per-request records file {Path.Combine(_dir, Path.GetFileNameWithoutExtension(first))}.requests.jsonl.gz is missing", _out.ToString(), StringComparison.Ordinal);
    }
}
