using System.Text.Json;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Engine.Verdicts;

namespace GuidellmFunctions.Engine.Tests.Verdicts;

/// <summary>Which saved run is a run's baseline, in a local output directory laid out as the runner saves it.</summary>
public sealed class BaselineFinderTests : IDisposable
{
    private static readonly DateTimeOffset Night = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-history-").FullName;
    private readonly string _staging = Directory.CreateTempSubdirectory("guidellm-staging-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        Directory.Delete(_staging, recursive: true);
    }

    private async Task<RunReport> Save(string id, DateTimeOffset at, RunStatus status = RunStatus.Completed, double rate = 50, string model = "m", bool valid = true)
    {
        var path = SyntheticRuns.Write(_staging, id, SyntheticRuns.Autocorrelated(50, rate, 0.5, 1), rate, at, status: status, model: model);
        var report = JsonSerializer.Deserialize(await File.ReadAllTextAsync(path), ReportJsonContext.Default.RunReport)! with { RequestsFile = null };
        if (!valid)
        {
            // A run the runner itself limited cannot be a baseline.
            report = report with { Benchmarks = [report.Benchmarks[0] with { Validity = new ValidityReport { Valid = false, Reasons = ["runner_cpu"] } }] };
        }

        await new LocalReportStore(_dir).SaveAsync(report, path[..^".json".Length] + ReportLayout.RequestsSuffix, CancellationToken.None);
        return report;
    }

    [Fact]
    public async Task The_baseline_is_the_newest_earlier_completed_run_of_the_same_config()
    {
        await Save("oldest", Night.AddDays(-3));
        await Save("wanted", Night.AddDays(-2));
        await Save("failed", Night.AddDays(-1), status: RunStatus.Failed);
        await Save("other-rate", Night.AddHours(-1), rate: 20);
        await Save("other-model", Night.AddHours(-2), model: "x");
        await Save("later", Night.AddHours(1));
        await Save("starved", Night.AddHours(-3), valid: false);
        var current = await Save("now", Night);

        var (baseline, reason) = await BaselineFinder.FindAsync(new LocalRunHistory(_dir), current, null, CancellationToken.None);

        Assert.Null(reason);
        Assert.Equal("wanted", baseline!.RunId);
        await using var records = await new LocalRunHistory(_dir).OpenRequestsAsync(baseline, CancellationToken.None);
        Assert.NotNull(records);
    }

    [Fact]
    public async Task A_pinned_run_is_taken_whatever_its_age_and_a_missing_one_is_named()
    {
        await Save("golden", Night.AddDays(-30));
        await Save("recent", Night.AddDays(-1));
        var current = await Save("now", Night);

        var (pinned, _) = await BaselineFinder.FindAsync(new LocalRunHistory(_dir), current, "golden", CancellationToken.None);
        var (missing, reason) = await BaselineFinder.FindAsync(new LocalRunHistory(_dir), current, "lost", CancellationToken.None);

        Assert.Equal("golden", pinned!.RunId);
        Assert.Null(missing);
        Assert.Contains("the pinned baseline run lost of dev/t is not in", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_run_has_no_baseline_and_says_where_it_looked()
    {
        var current = await Save("first", Night);

        var (baseline, reason) = await BaselineFinder.FindAsync(new LocalRunHistory(_dir), current, null, CancellationToken.None);

        Assert.Null(baseline);
        Assert.Contains($"no earlier completed run of dev/t with model m, valid stages and the same effective config in {_dir}", reason, StringComparison.Ordinal);
    }
}
