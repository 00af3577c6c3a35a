using GuidellmFunctions.Cli.Serving;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Load;
using Prometheus;

namespace GuidellmFunctions.Cli.Tests.Serving;

/// <summary>The pull-mode series' buckets, as a scrape reads them.</summary>
public sealed class PullMetricsTests
{
    private static readonly ResolvedTarget Target = new("dev", new TargetConfig { Name = "sim", Url = new Uri("http://127.0.0.1:9/v1"), Model = "m" }, new BenchmarkSettings());

    private static async Task<string> ScrapeAfterOneRequestAsync(HistogramLayout? buckets)
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new PullMetrics(registry, buckets);
        var observer = metrics.For(Target);
        var stage = new StageContext("r", Target, new StagePlan(0, ProfileKind.Synchronous, null, 1, null, TimeSpan.FromSeconds(1), null, null, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(1), 1), 0, () => 0);
        observer.OnStageStarted(stage);
        var result = new RequestResult { RequestId = "r", TimestampFrequency = 1_000, ScheduledTimestamp = 1_000, SentTimestamp = 1_000, FirstContentTimestamp = 1_120, LastContentTimestamp = 1_420, EndTimestamp = 1_421, Status = RequestStatus.Successful, UsageOutputTokens = 16 };
        observer.OnRequestCompleted(stage, result, RequestPhase.Measured);
        using var text = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(text);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    private static List<string> TtftLes(string scrape) =>
        [.. System.Text.RegularExpressions.Regex.Matches(scrape, "guidellm_ttft_seconds_bucket\\{[^}]*le=\"([^\"]+)\"").Select(m => m.Groups[1].Value)];

    [Fact]
    public async Task Scrapes_carry_the_fine_buckets_by_default_and_the_configured_ones_when_set()
    {
        var fine = TtftLes(await ScrapeAfterOneRequestAsync(null));
        var go = await ScrapeAfterOneRequestAsync(new HistogramLayout(new Dictionary<string, IReadOnlyList<double>> { ["ttft"] = BucketLayouts.GoRunnerTtft }));

        Assert.Equal(RunnerMetrics.Ttft.Buckets!.Count + 1, fine.Count);
        Assert.Contains("0.12", fine);
        Assert.Equal(["0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"], TtftLes(go));
        Assert.Contains("guidellm_ttft_seconds_bucket{environment=\"dev\",target=\"sim\",model=\"m\",le=\"0.25\"} 1", go, StringComparison.Ordinal);
        Assert.Contains("guidellm_e2e_latency_seconds_bucket{environment=\"dev\",target=\"sim\",model=\"m\",le=\"0.44\"} 1", go, StringComparison.Ordinal);
    }
}
