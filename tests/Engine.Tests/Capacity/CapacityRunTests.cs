using GuidellmFunctions.Engine.Capacity;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Slo;
using GuidellmFunctions.Simulator;
using Xunit.Abstractions;

namespace GuidellmFunctions.Engine.Tests.Capacity;

/// <summary>
/// A capacity search against the simulator with a batch of 4: up to 4 streams every request is admitted at once (TTFT
/// about 20 ms); from 5 on, one stream in five or more waits for a whole request (about 100 ms) and misses a 50 ms TTFT,
/// so attainment falls below 0.9. The capacity is therefore 4 streams, the first failing load 5.
/// </summary>
public sealed class CapacityRunTests(ITestOutputHelper output) : IDisposable
{
    private readonly TargetTransportFactory _clients = new();

    public void Dispose() => _clients.Dispose();

    [Fact]
    public async Task The_capacity_found_is_the_batch_size_where_the_ttft_slo_stops_holding()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 20, ItlMs = 5, ItlLoadFactor = 0, MaxBatch = 4 });
        var settings = new BenchmarkSettings
        {
            // Each probe's first half second is warm-up: a process's first requests (JIT, connections) miss a 50 ms TTFT.
            Profile = ProfileKind.Capacity, Rate = 1, MaxDuration = TimeSpan.FromSeconds(2.5), Warmup = TimeSpan.FromSeconds(0.5), MaxRequests = 1_000_000,
            Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(16)),
        }.Set(SettingsTable.Slo, new SloObjectives(TtftMs: 50, ItlMs: null, E2eMs: null, Attainment: 0.9))
            .Set(SettingsTable.CapacityTolerance, 0.1);
        var target = new ResolvedTarget("dev", new TargetConfig { Name = "sim", Url = server.V1, Model = server.Options.Model }, settings);

        var report = await new LoadTestRunner(_clients, new PromptGenerator(), TimeProvider.System).RunAsync(target, "capacity-1", RunTrigger.Cli, [], CancellationToken.None);

        var capacity = Assert.IsType<CapacityReport>(report.Capacity);
        Assert.Equal("concurrency", capacity.By);
        Assert.Equal(4, capacity.Max);
        Assert.Equal(5, capacity.FirstFailing);
        Assert.Equal([1, 2, 4, 8, 6, 5], capacity.Probes.Select(p => p.Load));
        Assert.Equal([true, true, true, false, false, false], capacity.Probes.Select(p => p.Met));
        Assert.Equal(capacity.Probes.Count, report.Benchmarks.Count);
        Assert.All(capacity.Probes, p => Assert.Equal(report.Benchmarks[p.Stage].Summary.Slo!.Attainment, p.Attainment));
        Assert.Contains((RunnerMetrics.Capacity, "concurrency", 4.0), RunOutcomeSeries.From(report));
    }

    /// <summary>
    /// A rate probe far beyond the server (a batch of 2 requests of about 100 ms each: some 20 requests/s; asked for 100)
    /// piles requests up and its TTFT climbs with the queue: the over-saturation stop ends it long before its
    /// max_seconds, and the probe fails saying why.
    /// </summary>
    [Fact]
    public async Task A_probe_far_beyond_the_server_stops_early_as_over_saturated()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 20, ItlMs = 5, ItlLoadFactor = 0, MaxBatch = 2 });
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Capacity, Rate = 100, MaxDuration = TimeSpan.FromSeconds(30), MaxRequests = 1_000_000,
            Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(16)),
        }.Set(SettingsTable.Slo, new SloObjectives(TtftMs: 200, ItlMs: null, E2eMs: null, Attainment: 0.9))
            .Set(SettingsTable.CapacityBy, CapacityBy.Rate);
        var target = new ResolvedTarget("dev", new TargetConfig { Name = "sim", Url = server.V1, Model = server.Options.Model }, settings);

        var report = await new LoadTestRunner(_clients, new PromptGenerator(), TimeProvider.System).RunAsync(target, "capacity-overload", RunTrigger.Cli, [], CancellationToken.None);

        var capacity = Assert.IsType<CapacityReport>(report.Capacity);
        var probe = capacity.Probes[0];
        output.WriteLine($"{probe.StopReason}: {probe.StopDetail}; stage {report.Benchmarks[0].MeasuredSeconds:0.0} s");
        Assert.Equal("rate", capacity.By);
        Assert.Null(capacity.Max);
        Assert.Equal(100, capacity.FirstFailing);
        Assert.Equal("first_probe_failed", capacity.EndReason);
        Assert.False(probe.Met);
        Assert.Equal("over_saturation", probe.StopReason);
        Assert.False(string.IsNullOrEmpty(probe.StopDetail));
        Assert.True(report.Benchmarks[0].MeasuredSeconds < 15, $"the probe ran {report.Benchmarks[0].MeasuredSeconds} s of its 30");
    }

    /// <summary>
    /// Issue 27's check: with no prefill cost and a batch that never fills, the KV cache alone bounds how many requests
    /// run at once (the rest wait, or are preempted and recomputed), so the capacity found must fall when the cache
    /// shrinks or when each request needs more of it.
    /// </summary>
    [Fact]
    public async Task The_capacity_found_moves_with_the_kv_budget_and_the_prompt_length()
    {
        var roomy = await SearchAsync(kvBlocks: 32, promptTokens: 16);
        var smallCache = await SearchAsync(kvBlocks: 8, promptTokens: 16);
        var longPrompts = await SearchAsync(kvBlocks: 32, promptTokens: 112);
        output.WriteLine($"capacity in streams: KV 32 blocks, 16-token prompts {roomy}; KV 8 blocks {smallCache}; 112-token prompts {longPrompts}");

        Assert.True(smallCache < roomy, $"a quarter of the KV cache: capacity {smallCache} streams, not below {roomy}");
        Assert.True(longPrompts < roomy, $"prompts of 112 tokens instead of 16: capacity {longPrompts} streams, not below {roomy}");
    }

    private async Task<double> SearchAsync(int kvBlocks, int promptTokens)
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            TtftMs = 20, ItlMs = 5, ItlLoadFactor = 0, MaxBatch = 256, KvCacheTokens = kvBlocks * 16, PrefixCaching = false,
        });
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Capacity, Rate = 1, MaxDuration = TimeSpan.FromSeconds(2), Warmup = TimeSpan.FromSeconds(0.5), MaxRequests = 1_000_000,
            Data = new DataSpec(new TokenDistribution(promptTokens), new TokenDistribution(16)),
        }.Set(SettingsTable.Slo, new SloObjectives(TtftMs: 50, ItlMs: null, E2eMs: 200, Attainment: 0.9))
            .Set(SettingsTable.CapacityTolerance, 0.25);
        var target = new ResolvedTarget("dev", new TargetConfig { Name = "sim", Url = server.V1, Model = server.Options.Model }, settings);

        var report = await new LoadTestRunner(_clients, new PromptGenerator(), TimeProvider.System).RunAsync(target, $"capacity-kv{kvBlocks}-p{promptTokens}", RunTrigger.Cli, [], CancellationToken.None);

        var capacity = Assert.IsType<CapacityReport>(report.Capacity);
        return Assert.NotNull(capacity.Max);
    }
}
