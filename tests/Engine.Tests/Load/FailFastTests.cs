using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Engine.Tests.Load;

/// <summary>A wrong model, key or port ends a run within a few requests, in the server's own words (issue 22), against the real simulator.</summary>
[Collection(TimingCollection.Name)]
public sealed class FailFastTests : IDisposable
{
    private readonly TargetTransportFactory _clients = new();

    public void Dispose() => _clients.Dispose();

    private static BenchmarkSettings Settings(bool checkModel = true) => new BenchmarkSettings
    {
        Profile = ProfileKind.Constant, Rate = 50, MaxDuration = TimeSpan.FromSeconds(20),
        Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(4)),
    }.Set(SettingsTable.CheckModel, checkModel);

    private Task<RunReport> RunAsync(Uri url, string model, BenchmarkSettings settings, string? apiKey = null) =>
        new LoadTestRunner(_clients, new PromptGenerator(), TimeProvider.System).RunAsync(
            new ResolvedTarget("it", new TargetConfig { Name = "t", Url = url, Model = model, ApiKey = apiKey is null ? null : new Secret(apiKey) }, settings),
            "ff", RunTrigger.Cli, [], CancellationToken.None);

    [Fact]
    public async Task A_wrong_model_fails_before_the_clock_naming_the_models_served()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Model = "served-model" });

        var report = await RunAsync(server.V1, "sim", Settings());

        Assert.Equal(RunStatus.Failed, report.Status);
        Assert.Empty(report.Benchmarks);
        Assert.Contains("`sim`", report.StatusReason, StringComparison.Ordinal);
        Assert.Contains("`served-model`", report.StatusReason, StringComparison.Ordinal);
        Assert.Equal(0, server.CompletionRequestsReceived);
    }

    [Fact]
    public async Task Without_the_model_check_the_breaker_stops_the_stage_within_a_few_requests_with_the_servers_message()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Model = "served-model" });

        var report = await RunAsync(server.V1, "sim", Settings(checkModel: false));

        Assert.Equal(RunStatus.Failed, report.Status);
        var stage = Assert.Single(report.Benchmarks);
        Assert.Equal("target_refuses", stage.StopReason);
        Assert.Equal("the first 5 requests all failed alike; the server's first message: HTTP 404: The model `sim` does not exist.", stage.StopDetail);
        Assert.InRange(server.CompletionRequestsReceived, TargetRefusesBreaker.FirstRequests, TargetRefusesBreaker.FirstRequests + 5);
        Assert.Equal("HTTP 404: The model `sim` does not exist.", stage.Summary.ErrorMessages["http_4xx"]);
        Assert.Contains("The model `sim` does not exist.", report.StatusReason, StringComparison.Ordinal);
        Assert.Contains("target_refuses", System.Text.Json.JsonSerializer.Serialize(report, ReportJsonContext.Default.RunReport), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_fails_the_pre_flight_with_the_servers_word_and_never_leaks_the_key()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { ApiKey = "right-key-1234" });

        var report = await RunAsync(server.V1, server.Options.Model, Settings(), apiKey: "wrong-key-5678");

        Assert.Equal(RunStatus.Failed, report.Status);
        Assert.Empty(report.Benchmarks);
        Assert.Equal("pre-flight: the server refused the credentials (HTTP 401): Unauthorized", report.StatusReason);
        Assert.Equal(0, server.CompletionRequestsReceived);
        Assert.DoesNotContain("wrong-key-5678", System.Text.Json.JsonSerializer.Serialize(report, ReportJsonContext.Default.RunReport), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_port_is_stopped_by_the_breaker_after_a_few_refused_connections()
    {
        var port = LoopbackPorts.Free();

        var report = await RunAsync(new Uri($"http://127.0.0.1:{port}/v1"), "m", Settings());

        Assert.Equal(RunStatus.Failed, report.Status);
        var stage = Assert.Single(report.Benchmarks);
        Assert.Equal("target_refuses", stage.StopReason);
        Assert.InRange(stage.Summary.Errors["connection"], TargetRefusesBreaker.FirstRequests, TargetRefusesBreaker.FirstRequests + 5);
        Assert.Contains("refused", stage.Summary.ErrorMessages["connection"], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("connection: ", report.StatusReason, StringComparison.Ordinal);
    }
}
