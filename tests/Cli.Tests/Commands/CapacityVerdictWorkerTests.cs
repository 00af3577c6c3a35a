using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Cli.Tests.Commands;

/// <summary>
/// Issue 18's check from the KEDA worker: capacity searches taken from the queue by <c>worker</c> land, with their
/// verdicts against the run before, in the archived reports in a real Azurite and in a real Prometheus.
/// </summary>
public sealed class CapacityVerdictWorkerTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-worker-capacity-").FullName;
    private readonly StringWriter _out = new();
    private CapacityVerdictTargets _targets = null!;

    public async Task InitializeAsync() => _targets = await CapacityVerdictTargets.StartAsync(_dir);

    public async Task DisposeAsync()
    {
        _out.Dispose();
        await _targets.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<int> Run(params string[] args) =>
        CliInvoker.RunAsync(_out, CancellationToken.None, [.. args, "--config", _targets.ConfigPath, "--connection", _targets.Azurite.ConnectionString, "--queue", "runs"]);

    [Fact]
    public async Task Worker_runs_archive_and_push_their_capacity_and_a_verdict_against_the_run_before()
    {
        foreach (var runId in (string[])["capacity-w1", "capacity-w2"])
        {
            Assert.Equal(0, await Run("enqueue", "-e", "development", "-t", "llama", "--run-id", runId));
            Assert.True(await Run("worker", "--once", "--output", Path.Combine(_dir, "out")) == 0, _out.ToString());
        }

        await _targets.AssertLandedAsync(null, "capacity-w1", "capacity-w2");
    }
}
