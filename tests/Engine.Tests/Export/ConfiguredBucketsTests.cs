using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Runs;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace GuidellmFunctions.Engine.Tests.Export;

/// <summary>A config's <c>buckets:</c> through a whole run: the pushed series, the report's series and its OpenMetrics export.</summary>
public sealed class ConfiguredBucketsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-buckets-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_configured_buckets_are_pushed_reported_and_exported()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 120, ItlMs = 2, ItlLoadFactor = 0 });
        await using var receiver = await FakeReceiver.StartAsync();
        var config = new ConfigLoader(_ => null).LoadText($$"""
            environments:
              dev:
                targets:
                  - { name: sim, url: "{{server.V1}}", model: "{{server.Options.Model}}" }
            defaults:
              profile: concurrent
              rate: 2
              max_requests: 4
              data_spec: "prompt_tokens=16,output_tokens=4"
            remote_write:
              - url: {{receiver.Url}}
            buckets:
              ttft: go_runner
              e2e_latency: [0.2, 0.5, 1]
            """, "buckets.yaml");
        using var engine = new ServiceCollection().AddGuidellmEngine(_ => { }).BuildServiceProvider();
        var service = engine.GetRequiredService<LoadTestService>();

        var outcome = await service.RunAsync(config, config.ResolveTargets("dev"), "buckets-run", RunTrigger.Cli, Path.Combine(_dir, "out"));

        var report = Assert.Single(outcome.Results).Report;
        Assert.Equal(RunStatus.Completed, report.Status);
        List<string> Les(IEnumerable<IReadOnlyDictionary<string, string>> labels) => [.. labels.Select(l => l["le"]).Distinct()];
        string[] goTtft = ["0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
        Assert.Equal(goTtft, Les(report.Series!.Where(s => s.Name == "guidellm_ttft_seconds_bucket").Select(s => s.Labels)));
        Assert.Equal(["0.2", "0.5", "1", "+Inf"], Les(report.Series!.Where(s => s.Name == "guidellm_e2e_latency_seconds_bucket").Select(s => s.Labels)));
        Assert.Equal(RunnerMetrics.Itl.Buckets!.Count + 1, report.Series!.Count(s => s.Name == "guidellm_itl_seconds_bucket"));
        Assert.Equal(goTtft, Les(receiver.Accepted.Where(s => s.Name == "guidellm_ttft_seconds_bucket").Select(s => (IReadOnlyDictionary<string, string>)s.Labels.ToDictionary(l => l.Key, l => l.Value))));
        var measured = report.Benchmarks[0].Summary.TtftMs.Count;
        Assert.True(measured > 0);
        Assert.Equal(measured, report.Series!.Single(s => s.Name == "guidellm_ttft_seconds_bucket" && s.Labels["le"] == "+Inf").Value);

        using var openMetrics = new StringWriter();
        OpenMetricsWriter.Write(report, openMetrics);
        Assert.Contains("guidellm_ttft_seconds_bucket{environment=\"dev\",le=\"0.25\",", openMetrics.ToString(), StringComparison.Ordinal);
        Assert.Contains($"guidellm_ttft_seconds_bucket{{environment=\"dev\",le=\"+Inf\",model=\"simulated/llama-3.1-8b-instruct\",target=\"sim\"}} {measured} ", openMetrics.ToString(), StringComparison.Ordinal);
    }
}
