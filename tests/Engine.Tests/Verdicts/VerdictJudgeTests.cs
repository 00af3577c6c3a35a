using System.Text.Json;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Engine.Verdicts;

namespace GuidellmFunctions.Engine.Tests.Verdicts;

/// <summary>Verdicts of synthetic runs written as the runner writes them: results, thresholds and the runs that cannot be compared.</summary>
public sealed class VerdictJudgeTests : IDisposable
{
    private static readonly DateTimeOffset Night = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-verdict-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RunReport Read(string path) => JsonSerializer.Deserialize(File.ReadAllText(path), ReportJsonContext.Default.RunReport)!;

    private static Func<CancellationToken, Task<Stream>> Records(string reportPath) =>
        _ => Task.FromResult<Stream>(File.OpenRead(reportPath[..^".json".Length] + ReportLayout.RequestsSuffix));

    private Task<VerdictReport> Judge(string current, string baseline, double threshold = 0.05) =>
        VerdictJudge.CompareAsync(Read(current), Records(current), Read(baseline), Records(baseline), threshold, CancellationToken.None);

    private string Run(string id, int seed, double tpotMs = 10, double ttftMs = 100, double rate = 50, Action<TargetReport>? config = null, RunStatus status = RunStatus.Completed, string model = "m", int count = 1500) =>
        SyntheticRuns.Write(_dir, id, SyntheticRuns.Autocorrelated(count, rate, 0.8, seed, ttftMs, tpotMs), rate, Night, config, status, model);

    [Fact]
    public async Task A_twenty_percent_slower_tpot_is_a_regression_of_tpot_and_e2e_and_nothing_else()
    {
        var verdict = await Judge(Run("slow", 2, tpotMs: 12), Run("base", 1));

        Assert.Equal("regressed", verdict.Result);
        Assert.Equal("base", verdict.BaselineRunId);
        var regressed = verdict.Metrics.Where(m => m.Result == "regressed").Select(m => m.Name).ToList();
        Assert.Contains("tpot_p50_ms", regressed);
        Assert.Contains("e2e_p50_ms", regressed);
        Assert.DoesNotContain("ttft_p50_ms", regressed);
        Assert.Contains("tpot_p50_ms +", verdict.Reason, StringComparison.Ordinal);
        Assert.Equal(0.95, verdict.Confidence);
        Assert.All(verdict.Metrics, m => Assert.True(m.Low <= m.Change && m.Change <= m.High, m.ToString()));
    }

    [Fact]
    public async Task A_faster_server_is_improved_and_a_higher_throughput_counts_as_better()
    {
        var verdict = await Judge(Run("fast", 2, tpotMs: 7, ttftMs: 70), Run("base", 1));

        Assert.Equal("improved", verdict.Result);
        Assert.All(verdict.Metrics.Where(m => m.Name.StartsWith("tpot", StringComparison.Ordinal) || m.Name.StartsWith("ttft", StringComparison.Ordinal)), m => Assert.Equal("improved", m.Result));
        var throughput = verdict.Metrics.Single(m => m.Name == "output_tokens_per_second");
        Assert.Equal("unchanged", throughput.Result);
    }

    [Fact]
    public async Task A_throughput_that_falls_is_a_regression_though_latencies_hold()
    {
        var verdict = await Judge(Run("fewer", 2, rate: 30), Run("base", 1, rate: 30, count: 1500));
        var halved = await Judge(
            SyntheticRuns.Write(_dir, "half", [.. SyntheticRuns.Autocorrelated(1500, 50, 0.8, 2).Select(r => r with { OutputTokens = 16, TpotMs = r.TpotMs })], 50, Night),
            Run("base50", 1));

        Assert.Equal("unchanged", verdict.Result);
        Assert.Equal("regressed", halved.Metrics.Single(m => m.Name == "output_tokens_per_second").Result);
    }

    [Fact]
    public async Task A_change_within_the_threshold_is_unchanged_even_when_certain()
    {
        var verdict = await Judge(Run("slight", 2, tpotMs: 10.3), Run("base", 1), threshold: 0.05);
        var strict = await Judge(Run("slight2", 2, tpotMs: 10.3), Run("base2", 1), threshold: 0.01);

        Assert.Equal("unchanged", verdict.Result);
        Assert.Contains("no metric changed by more than 5% with 95% confidence", verdict.Reason, StringComparison.Ordinal);
        Assert.Equal(0.01, strict.Threshold);
    }

    [Fact]
    public async Task A_change_beyond_the_threshold_is_called_only_when_its_whole_interval_is()
    {
        var verdict = await Judge(Run("edge", 2, tpotMs: 10.6), Run("base", 1));

        var tpot = verdict.Metrics.Single(m => m.Name == "tpot_p50_ms");
        Assert.True(tpot.Change > 0.05 && tpot.Low <= 0.05, tpot.ToString());
        Assert.Equal("unchanged", tpot.Result);
        Assert.All(verdict.Metrics, m => Assert.Equal(m.Low > 0.05 ? "regressed" : m.High < -0.05 ? "improved" : "unchanged", m.Result));
    }

    [Fact]
    public async Task A_p95_is_compared_only_with_enough_values_beyond_it_and_the_reason_names_those_left_out()
    {
        var shortRuns = await Judge(Run("short", 2, count: 300), Run("base", 1, count: 300));
        var longRuns = await Judge(Run("long", 4, count: 1500), Run("base2", 3, count: 1500));

        Assert.Equal(["ttft_p50_ms", "tpot_p50_ms", "e2e_p50_ms", "output_tokens_per_second"], shortRuns.Metrics.Select(m => m.Name));
        Assert.Contains("not compared (fewer than 20 values beyond the quantile in a run): ttft_p95_ms (needs 400), tpot_p95_ms (needs 400), e2e_p95_ms (needs 400)", shortRuns.Reason, StringComparison.Ordinal);
        Assert.Contains(longRuns.Metrics, m => m.Name == "e2e_p95_ms");
        Assert.DoesNotContain("not compared", longRuns.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model", "different models: other and baseline m")]
    [InlineData("profile", "different profiles: poisson and baseline constant")]
    [InlineData("data", "different data: dataSpec prompt_tokens=64,output_tokens=8 and baseline prompt_tokens=256,output_tokens=128")]
    [InlineData("failed", "this run (changed) did not complete: failed")]
    [InlineData("rate", "no stage of the baseline ran the same load")]
    public async Task Runs_that_cannot_be_compared_say_why(string change, string reason)
    {
        var baseline = Run("base", 1);
        var current = change switch
        {
            "model" => Run("changed", 2, model: "other"),
            "profile" => Run("changed", 2, config: c => c.Settings["profile"] = JsonSerializer.SerializeToElement("poisson")),
            "data" => Run("changed", 2, config: c => c.Settings["dataSpec"] = JsonSerializer.SerializeToElement("prompt_tokens=64,output_tokens=8")),
            "failed" => Run("changed", 2, status: RunStatus.Failed),
            _ => Run("changed", 2, rate: 40),
        };

        var verdict = await Judge(current, baseline);

        Assert.Equal("incomparable", verdict.Result);
        Assert.Contains(reason, verdict.Reason, StringComparison.Ordinal);
        Assert.Empty(verdict.Metrics);
    }

    [Fact]
    public async Task A_run_whose_stage_was_not_valid_is_incomparable_rather_than_a_verdict_on_the_runner()
    {
        var starved = Run("starved", 2, tpotMs: 14);
        var report = Read(starved);
        var validity = new ValidityReport { Valid = false, Reasons = ["thread_pool_lag: the runner's thread pool ran work 558.7 ms late at p95"] };
        File.WriteAllText(starved, JsonSerializer.Serialize(report with { Benchmarks = [report.Benchmarks[0] with { Validity = validity }] }, ReportJsonContext.Default.RunReport));

        var verdict = await Judge(starved, Run("base", 1));
        var reversed = await Judge(Run("later", 3), starved);

        Assert.Equal("incomparable", verdict.Result);
        Assert.Equal("this run's stage 0 was not valid, the runner itself may have limited what it measured: thread_pool_lag: the runner's thread pool ran work 558.7 ms late at p95", verdict.Reason);
        Assert.Empty(verdict.Metrics);
        Assert.StartsWith("the baseline's stage 0 was not valid", reversed.Reason, StringComparison.Ordinal);
        Assert.False(RunComparison.AllStagesValid(Read(starved)));
        Assert.True(RunComparison.AllStagesValid(Read(Run("fine", 4))));
    }

    [Fact]
    public async Task Too_few_requests_are_incomparable_rather_than_a_verdict_on_noise()
    {
        var verdict = await Judge(Run("tiny", 2, count: 10), Run("base", 1, count: 10));

        Assert.Equal("incomparable", verdict.Result);
        Assert.Contains("too few successful requests", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Latencies_are_of_measured_successful_requests_and_failures_serve_no_tokens()
    {
        var requests = SyntheticRuns.Autocorrelated(1000, 50, 0.8, 3)
            .Select((r, i) => i % 10 == 0 ? r with { TtftMs = 5000, Phase = "warmup" } : i % 10 == 1 ? r with { TtftMs = 9000, Status = "failed" } : r)
            .ToList();

        var verdict = await Judge(SyntheticRuns.Write(_dir, "noisy", requests, 50, Night), Run("base", 1, count: 1000));

        Assert.All(verdict.Metrics.Where(m => m.Name.EndsWith("_ms", StringComparison.Ordinal)), m => Assert.Equal("unchanged", m.Result));
        var throughput = verdict.Metrics.Single(m => m.Name == "output_tokens_per_second");
        Assert.Equal("regressed", throughput.Result);
        Assert.InRange(throughput.Change, -0.25, -0.15);
    }

    [Fact]
    public async Task The_verdict_is_the_same_each_time_the_same_runs_are_compared()
    {
        var current = Run("again", 2, tpotMs: 10.6);
        var baseline = Run("base", 1);

        var first = await Judge(current, baseline);
        var second = await Judge(current, baseline);

        Assert.Equal(JsonSerializer.Serialize(first), JsonSerializer.Serialize(second));
    }
}
