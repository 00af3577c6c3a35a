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

        // compare reads both runs, and their per-request records, from their blob URLs with the storage connection.
        var reports = await ArchivedTargets.ReportsAsync(_targets.Archive);
        var urls = new[] { "capacity-w2", "capacity-w1" }.Select(id => _targets.Archive.GetBlobClient(reports.Single(r => r.EndsWith($"/{id}.json", StringComparison.Ordinal))).Uri.ToString()).ToArray();
        _out.GetStringBuilder().Clear();
        var exit = await CliInvoker.RunAsync(_out, CancellationToken.None, ["compare", urls[0], urls[1], "--connection", _targets.Azurite.ConnectionString]);
        Assert.True(exit is 0 or 1, _out.ToString());
        Assert.Contains("run capacity-w2 against baseline capacity-w1", _out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_of_a_missing_blob_or_a_bad_url_exits_2_naming_it_without_its_credentials()
    {
        var container = _targets.Archive.Uri.ToString();
        var missing = container + "/development/llama/absent.json";
        var withSas = container + "/development/llama/gone.json?sv=2024-11-04&sr=c&sp=r&sig=NotARealSignature123";

        var exit = await CliInvoker.RunAsync(_out, CancellationToken.None, ["compare", missing, withSas, "--connection", _targets.Azurite.ConnectionString]);
        var badUrl = await CliInvoker.RunAsync(_out, CancellationToken.None, ["compare", "http://127.0.0.1:1/", missing, "--connection", _targets.Azurite.ConnectionString]);

        var output = _out.ToString();
        Assert.Equal(2, exit);
        Assert.Equal(2, badUrl);
        Assert.Contains("absent.json: cannot be read: 404", output, StringComparison.Ordinal);
        Assert.Contains("gone.json", output, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:1/", output, StringComparison.Ordinal);
        Assert.DoesNotContain("NotARealSignature123", output, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", output, StringComparison.Ordinal);
    }
}
