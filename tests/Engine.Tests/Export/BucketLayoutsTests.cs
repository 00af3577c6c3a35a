using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Export;

public sealed class BucketLayoutsTests
{
    public static TheoryData<string, double, double> FineRanges => new()
    {
        { "ttft", 0.01, 60 },
        { "itl", 0.001, 60 },
        { "tpot", 0.001, 60 },
        { "e2e_latency", 0.01, 600 },
    };

    private static IReadOnlyList<double> Layout(string key) => HistogramLayout.Default.For(HistogramLayout.Families[key]);

    [Theory]
    [MemberData(nameof(FineRanges))]
    public void Histogram_quantile_is_within_10_percent_of_any_tight_cluster_in_the_fine_range(string key, double from, double to)
    {
        var bounds = Layout(key);
        var worst = 0.0;
        for (var v = from; v * 1.001 <= to; v *= 1.003)
        {
            // 200 observations spread over 0.1% above v: the worst case for interpolation inside one bucket.
            var buckets = new BucketCounts(bounds);
            var values = Enumerable.Range(0, 200).Select(i => v * (1 + (0.001 * i / 199))).ToArray();
            foreach (var x in values)
            {
                buckets.Observe(x);
            }

            foreach (var q in (double[])[0.5, 0.95, 0.99])
            {
                var truth = values[(int)Math.Ceiling(q * values.Length) - 1];
                worst = Math.Max(worst, Math.Abs(PromQuantile.Classic(q, buckets) - truth) / truth);
            }
        }

        Assert.InRange(worst, 0, 0.10);
    }

    [Theory]
    [MemberData(nameof(FineRanges))]
    public void Neighbouring_bounds_in_the_fine_range_are_at_most_10_percent_apart(string key, double from, double to)
    {
        var fine = Layout(key).Where(b => b >= from && b <= to).ToList();
        Assert.Equal(from, fine[0]);
        Assert.Equal(to, fine[^1]);
        Assert.All(fine.Zip(fine.Skip(1)), pair => Assert.True(pair.Second / pair.First <= BucketLayouts.MaxStep + 1e-12, $"{pair.First} -> {pair.Second}"));
    }

    [Fact]
    public void Every_go_runner_and_vllm_boundary_is_kept_so_existing_le_queries_still_work()
    {
        Assert.Subset(Les(Layout("ttft")), Les([.. BucketLayouts.GoRunnerTtft, .. BucketLayouts.VllmTtft]));
        Assert.Subset(Les(Layout("itl")), Les([.. BucketLayouts.GoRunnerItl, .. BucketLayouts.VllmTokenGap]));
        Assert.Subset(Les(Layout("tpot")), Les([.. BucketLayouts.GoRunnerItl, .. BucketLayouts.VllmTokenGap]));
        Assert.Subset(Les(Layout("e2e_latency")), Les([.. BucketLayouts.GoRunnerE2e, .. BucketLayouts.VllmRequest]));
        Assert.Equal(BucketLayouts.DispatchDelay, Layout("dispatch_delay"));
    }

    [Fact]
    public void Le_labels_are_short_decimals_and_unique()
    {
        foreach (var family in HistogramLayout.Families.Values)
        {
            var les = Layout(HistogramLayout.KeyOf(family)).Select(BucketCounts.Le).ToList();
            Assert.Equal(les.Count, les.Distinct(StringComparer.Ordinal).Count());
            Assert.All(les, le => Assert.True(le.Length <= 7, $"{family.Name} le=\"{le}\""));
        }

        Assert.Contains("0.0175", Layout("ttft").Select(BucketCounts.Le));
    }

    [Fact]
    public void The_default_layouts_cost_706_histogram_series_per_target_as_docs_metrics_md_says()
    {
        // Each boundary is a _bucket series, plus le="+Inf", _sum and _count.
        var series = HistogramLayout.Families.Values.ToDictionary(f => f.Name, f => f.Buckets!.Count + 3);

        Assert.Equal(123, series["guidellm_ttft_seconds"]);
        Assert.Equal(123, series["guidellm_ttfo_seconds"]);
        Assert.Equal(148, series["guidellm_itl_seconds"]);
        Assert.Equal(148, series["guidellm_tpot_seconds"]);
        Assert.Equal(150, series["guidellm_e2e_latency_seconds"]);
        Assert.Equal(14, series["guidellm_dispatch_delay_seconds"]);
        Assert.Equal(706, series.Values.Sum());
    }

    private static HashSet<string> Les(IEnumerable<double> bounds) => [.. bounds.Select(BucketCounts.Le)];
}
