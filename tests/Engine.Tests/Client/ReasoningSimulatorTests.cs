using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Engine.Tests.Client;

/// <summary>A whole run against the simulator as a reasoning model: TTFO is later than TTFT by the reasoning part, and the reasoning tokens are counted; without reasoning the report keeps TTFT alone.</summary>
[Collection(TimingCollection.Name)]
public sealed class ReasoningSimulatorTests : IDisposable
{
    private readonly TargetTransportFactory _clients = new();

    public void Dispose() => _clients.Dispose();

    [Theory]
    [InlineData(8)]
    [InlineData(0)]
    public async Task Ttfo_is_later_than_ttft_by_the_reasoning_tokens(int reasoning)
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 40, ItlMs = 10, ItlLoadFactor = 0, ReasoningTokens = reasoning });
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = 2, MaxRequests = 10, MaxDuration = TimeSpan.FromSeconds(30),
            Data = new DataSpec(new TokenDistribution(32), new TokenDistribution(24)),
        }.Set(SettingsTable.ServerMetrics, ServerMetricsSetting.Off);
        var target = new ResolvedTarget("it", new TargetConfig { Name = "reasoning", Url = server.V1, Model = server.Options.Model }, settings);

        var report = await new LoadTestRunner(_clients, new PromptGenerator(), TimeProvider.System).RunAsync(target, "reasoning", RunTrigger.Cli, [], CancellationToken.None);

        var s = report.Benchmarks[0].Summary;
        Assert.Equal(10, s.Requests.Successful);
        Assert.Equal(24 * 10, s.Tokens.Output);
        if (reasoning == 0)
        {
            Assert.Equal(0, s.TtfoMs.Count);
            Assert.True(s.Tokens.Reasoning is null or 0, $"{s.Tokens.Reasoning}");
        }
        else
        {
            Assert.Equal(10, s.TtfoMs.Count);
            Assert.Equal(reasoning * 10L, s.Tokens.Reasoning);
            Assert.InRange(s.TtfoMs.Mean - s.TtftMs.Mean, reasoning * 10 * 0.9, (reasoning * 10) + 25);
        }

        Assert.Null(report.Benchmarks[0].Server);
    }
}
