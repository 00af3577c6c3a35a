using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Tests.Client;

/// <summary>
/// <c>auth: azure_ad</c> (issue 22) against a stand-in of the App Service managed-identity endpoint and the simulator checking
/// the tokens it issued. The stand-in sets IDENTITY_ENDPOINT/IDENTITY_HEADER (read by the credential from the process
/// environment, no option takes them), hence the collection that runs alone. Tokens live under 5 minutes so the identity
/// library's process-wide cache (which treats a token that close to expiry as expired) never hands one test another's token.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class AzureAdAuthTests : IDisposable
{
    private readonly TargetTransportFactory _clients = new();
    private readonly ListLogger _log = new();

    public void Dispose() => _clients.Dispose();

    private static BenchmarkSettings Settings(HttpClientKind client, TimeSpan duration, double rate = 40) => new BenchmarkSettings
    {
        Profile = ProfileKind.Constant, Rate = rate, MaxDuration = duration, HttpClient = client,
        Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(4)),
    }.Set(SettingsTable.Auth, new AuthSetting(AuthSetting.CognitiveServicesScope));

    private async Task<RunReport> RunAsync(Uri url, string model, BenchmarkSettings settings)
    {
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new Provider(_log)));
        return await new LoadTestRunner(_clients, new PromptGenerator(), TimeProvider.System, loggers).RunAsync(
            new ResolvedTarget("it", new TargetConfig { Name = "t", Url = url, Model = model }, settings),
            "run-entra", RunTrigger.Cli, [], CancellationToken.None);
    }

    private string Output(RunReport report) =>
        System.Text.Json.JsonSerializer.Serialize(report, ReportJsonContext.Default.RunReport) + string.Join('\n', _log.Entries.Select(e => e.Message));

    [Theory]
    [InlineData(HttpClientKind.Runner)]
    [InlineData(HttpClientKind.HttpClient)]
    public async Task A_run_sends_the_managed_identity_token_and_never_writes_it(HttpClientKind client)
    {
        await using var identity = ManagedIdentityEndpoint.Start(TimeSpan.FromMinutes(2));
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { AcceptToken = identity.Accepts });

        var report = await RunAsync(server.V1, server.Options.Model, Settings(client, TimeSpan.FromSeconds(1)));

        Assert.Equal(RunStatus.Completed, report.Status);
        var stage = Assert.Single(report.Benchmarks);
        Assert.True(stage.Summary.Requests.Successful > 0);
        Assert.Equal(0, stage.Summary.Requests.Failed);
        Assert.Equal("https://cognitiveservices.azure.com", Assert.Single(identity.Resources));
        var token = Assert.Single(identity.Issued);
        Assert.DoesNotContain(token, Output(report), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpClientKind.Runner)]
    [InlineData(HttpClientKind.HttpClient)]
    public async Task A_token_that_expires_mid_burst_is_refreshed_ahead_with_no_failed_request(HttpClientKind client)
    {
        await using var identity = ManagedIdentityEndpoint.Start(TimeSpan.FromSeconds(3));
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { AcceptToken = identity.Accepts });

        var report = await RunAsync(server.V1, server.Options.Model, Settings(client, TimeSpan.FromSeconds(5), rate: 20));

        Assert.Equal(RunStatus.Completed, report.Status);
        var stage = Assert.Single(report.Benchmarks);
        Assert.Equal(0, stage.Summary.Requests.Failed);
        Assert.True(stage.Summary.Requests.Successful > 20);
        Assert.True(identity.Issued.Count >= 2, $"tokens issued: {identity.Issued.Count}");
        var output = Output(report);
        Assert.All(identity.Issued, token => Assert.DoesNotContain(token, output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_identity_endpoint_that_refuses_fails_the_pre_flight_named_and_sends_nothing()
    {
        await using var identity = ManagedIdentityEndpoint.Start(TimeSpan.FromMinutes(2), refuse: true);
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { AcceptToken = identity.Accepts });

        var report = await RunAsync(server.V1, server.Options.Model, Settings(HttpClientKind.Runner, TimeSpan.FromSeconds(1)));

        Assert.Equal(RunStatus.Failed, report.Status);
        Assert.Empty(report.Benchmarks);
        Assert.StartsWith("could not get a token: ", report.StatusReason, StringComparison.Ordinal);
        Assert.Equal(0, server.CompletionRequestsReceived);
        Assert.NotEmpty(identity.Resources);
    }

    private sealed class Provider(ListLogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose()
        {
        }
    }
}
