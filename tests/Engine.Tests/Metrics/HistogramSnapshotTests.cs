using System.Text.Json;
using GuidellmFunctions.Engine.Metrics;

namespace GuidellmFunctions.Engine.Tests.Metrics;

public sealed class HistogramSnapshotTests
{
    private static double[] Values(int seed, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => Math.Exp(new Random(seed + _).NextDouble() * 14) / 100.0)];

    [Fact]
    public void A_snapshot_holds_every_observation_in_the_buckets_the_percentiles_come_from()
    {
        var histogram = new LogLinearHistogram();
        var values = Values(1, 20_000).Select(v => (long)Math.Round(v * 1000)).ToArray();
        foreach (var v in values)
        {
            histogram.Record(v);
        }

        var snapshot = histogram.Snapshot();
        Assert.Equal(values.Length, snapshot.Total);
        foreach (var (index, count) in snapshot.Buckets())
        {
            var expected = values.Count(v => v >= LogLinearHistogram.BucketLow(index) && v < LogLinearHistogram.BucketHigh(index));
            Assert.Equal(expected, count);
        }

        var restored = LogLinearHistogram.FromSnapshot(snapshot);
        Assert.Equal(histogram.Count, restored.Count);
        foreach (var p in (double[])[0, 1, 50, 90, 95, 99, 99.9, 100])
        {
            Assert.Equal(histogram.ValueAtPercentile(p), restored.ValueAtPercentile(p));
        }

        Assert.Equal(Flatten(snapshot), Flatten(restored.Snapshot()));
    }

    [Fact]
    public void Merged_snapshots_equal_the_histogram_of_the_union_exactly()
    {
        var a = Values(10, 5_000);
        var b = Values(20_000, 7_000).Select(v => v * 3).ToArray();
        var left = new Distribution();
        var right = new Distribution();
        var union = new Distribution();
        foreach (var v in a)
        {
            left.Record(v);
            union.Record(v);
        }

        foreach (var v in b)
        {
            right.Record(v);
            union.Record(v);
        }

        var merged = LogLinearHistogram.FromSnapshot(left.Summarize().Histogram!);
        merged.Add(LogLinearHistogram.FromSnapshot(right.Summarize().Histogram!));
        var expected = union.Summarize();

        Assert.Equal(Flatten(expected.Histogram!), Flatten(merged.Snapshot()));
        Assert.Equal(expected.Count, merged.Count);
        foreach (var (p, value) in (ReadOnlySpan<(double, double)>)[(50, expected.P50), (90, expected.P90), (95, expected.P95), (99, expected.P99)])
        {
            Assert.Equal(value, merged.ValueAtPercentile(p) / 1000.0);
        }
    }

    [Fact]
    public void The_report_json_keeps_the_histogram_compact_and_reads_it_back()
    {
        var distribution = new Distribution();
        foreach (var v in Values(5, 3_000))
        {
            distribution.Record(v);
        }

        var summary = distribution.Summarize();
        var json = JsonSerializer.Serialize(summary, ReportJsonTestContext.Default.DistributionSummary);
        var countsLine = json.Split('\n').Single(l => l.Contains("\"counts\"", StringComparison.Ordinal));
        Assert.Equal(summary.Histogram!.Counts.Count, countsLine.Count(c => c == ',') + 1);

        var back = JsonSerializer.Deserialize(json, ReportJsonTestContext.Default.DistributionSummary)!;
        Assert.Equal(Flatten(summary.Histogram), Flatten(back.Histogram!));
        Assert.Equal(summary with { Histogram = null }, back with { Histogram = null });
    }

    [Fact]
    public void A_report_without_histograms_still_reads()
    {
        const string json = """{"count":2,"mean":1,"min":1,"max":1,"stdDev":0,"p50":1,"p90":1,"p95":1,"p99":1,"p999":1}""";
        Assert.Null(JsonSerializer.Deserialize(json, ReportJsonTestContext.Default.DistributionSummary)!.Histogram);
    }

    [Theory]
    [InlineData("""{"layout":"prometheus-native","spans":[[0,1]],"counts":[1]}""", "layout")]
    [InlineData("""{"spans":[[5,2],[3,1]],"counts":[1,1,1]}""", "ascending")]
    [InlineData("""{"spans":[[5,2]],"counts":[1]}""", "2 buckets but 1 counts")]
    [InlineData("""{"spans":[[28159,2]],"counts":[1,1]}""", "within")]
    [InlineData("""{"spans":[[5,1]],"counts":[-1]}""", "negative")]
    public void A_malformed_histogram_is_refused_with_the_reason(string json, string reason)
    {
        var snapshot = JsonSerializer.Deserialize(json, ReportJsonTestContext.Default.HistogramSnapshot)!;
        var error = Assert.Throws<FormatException>(() => LogLinearHistogram.FromSnapshot(snapshot));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bucket_bounds_tile_the_value_range()
    {
        for (var i = 1; i < LogLinearHistogram.BucketCount; i++)
        {
            Assert.Equal(LogLinearHistogram.BucketHigh(i - 1), LogLinearHistogram.BucketLow(i));
        }
    }

    private static List<(int, long)> Flatten(HistogramSnapshot snapshot) => [.. snapshot.Buckets().Where(b => b.Count > 0)];
}
