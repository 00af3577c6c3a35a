using Azure.Storage.Blobs;
using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Cli.Tests.Commands;

/// <summary><c>report</c>: a saved report (a file or a blob) to one HTML page, alone or against a baseline.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-report-").FullName;
    private readonly StringWriter _out = new();

    public void Dispose()
    {
        _out.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<int> Run(params string[] args) => CliInvoker.RunAsync(_out, CancellationToken.None, args);

    private async Task<string> DemoAsync(string name)
    {
        var output = Path.Combine(_dir, name);
        Assert.Equal(0, await Run("demo", "--max-seconds", "1", "--rate", "8", "--output", output));
        return Directory.GetFiles(output, "*.json", SearchOption.AllDirectories).Single();
    }

    [Fact]
    public async Task A_run_writes_its_page_and_report_renders_one_on_demand_alone_or_against_a_baseline()
    {
        var baseline = await DemoAsync("before");
        var current = await DemoAsync("after");
        Assert.True(File.Exists(current[..^".json".Length] + ReportLayout.PageSuffix));
        Assert.Contains($"page {current[..^".json".Length]}.html", _out.ToString(), StringComparison.Ordinal);

        var alone = Path.Combine(_dir, "pages", "alone.html");
        var compared = Path.Combine(_dir, "pages", "compared.html");
        Assert.Equal(0, await Run("report", current, "--html", alone));
        Assert.Equal(0, await Run("report", current, "--baseline", baseline, "--html", compared));

        Assert.Contains("page written to " + alone, _out.ToString(), StringComparison.Ordinal);
        var page = await File.ReadAllTextAsync(alone);
        Assert.Contains("data-chart=\"distribution-ttftMs\"", page, StringComparison.Ordinal);
        Assert.Contains("data-chart=\"timeline-inflight\"", page, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(current[..^".json".Length] + ReportLayout.PageSuffix), page);
        var comparison = await File.ReadAllTextAsync(compared);
        Assert.Contains("data-table=\"comparison\"", comparison, StringComparison.Ordinal);
        Assert.Contains("baseline constant@8/s", comparison, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_a_report_or_cannot_be_read_exits_2_with_the_reason()
    {
        var queueMessage = Path.Combine(_dir, "message.json");
        await File.WriteAllTextAsync(queueMessage, """{"environment":"staging","targets":["a"]}""");
        var html = Path.Combine(_dir, "x.html");

        Assert.Equal(2, await Run("report", queueMessage, "--html", html));
        Assert.Equal(2, await Run("report", Path.Combine(_dir, "missing.json"), "--html", html));
        Assert.Equal(2, await Run("report", queueMessage, "--baseline", queueMessage));

        var text = _out.ToString();
        Assert.Contains("message.json is not a run report: it has no runId (a string) and no benchmarks (an array)", text, StringComparison.Ordinal);
        Assert.Contains("missing.json: cannot be read", text, StringComparison.Ordinal);
        Assert.Contains("--html", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.False(File.Exists(html));
    }

    [Fact]
    public async Task A_report_in_blob_storage_is_read_with_its_records_through_the_connection()
    {
        var report = await DemoAsync("blob");
        await using var azurite = await AzuriteServer.StartAsync();
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("guidellm-reports");
        await container.CreateIfNotExistsAsync();
        var name = "demo/simulated-llama/2026/12/01/" + Path.GetFileName(report);
        await container.GetBlobClient(name).UploadAsync(report);
        await container.GetBlobClient(name[..^".json".Length] + ReportLayout.RequestsSuffix).UploadAsync(report[..^".json".Length] + ReportLayout.RequestsSuffix);
        var html = Path.Combine(_dir, "blob.html");

        Assert.Equal(0, await Run("report", container.GetBlobClient(name).Uri.ToString(), "--connection", azurite.ConnectionString, "--html", html));

        var page = await File.ReadAllTextAsync(html);
        Assert.Contains("data-chart=\"timeline-ttft\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", page, StringComparison.Ordinal);
        Assert.Equal(2, await Run("report", container.GetBlobClient("demo/nothing.json").Uri.ToString(), "--connection", azurite.ConnectionString, "--html", html));
        Assert.Contains("nothing.json: cannot be read: 404", _out.ToString(), StringComparison.Ordinal);
    }
}
