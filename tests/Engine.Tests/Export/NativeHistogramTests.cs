using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Export;

public sealed class NativeHistogramTests
{
    [Theory]
    [InlineData(1.0, 0)]
    [InlineData(1.0000001, 1)]
    [InlineData(2.0, 32)]
    [InlineData(0.5, -32)]
    [InlineData(0.12, -97)]
    [InlineData(0.119, -98)]
    [InlineData(600.0, 296)]
    public void A_value_falls_in_the_bucket_whose_upper_bound_is_the_first_at_or_above_it(double value, int index)
    {
        Assert.Equal(index, NativeHistogram.Index(value));
        Assert.InRange(value, NativeHistogramSample.UpperBound(NativeHistogram.Schema, index - 1) * (1 + 1e-12), NativeHistogramSample.UpperBound(NativeHistogram.Schema, index) * (1 + 1e-12));
    }

    [Fact]
    public void Buckets_are_sent_as_spans_of_deltas_with_short_gaps_filled_and_long_ones_skipped()
    {
        var h = new NativeHistogram();
        // Buckets 0 (x2), 2 (one empty bucket between: the same span), 41 (a new span), and two zeros.
        foreach (var v in (double[])[1, 0.999, Math.Pow(2, 2 / 32.0), 2.4, 0, 0])
        {
            h.Observe(v);
        }

        var s = h.Snapshot();

        Assert.Equal(41, NativeHistogram.Index(2.4));
        Assert.Equal([(0, 3u), (38, 1u)], s.PositiveSpans);
        Assert.Equal([2L, -2, 1, 0], s.PositiveDeltas);
        Assert.Equal([(0, 2L), (2, 1L), (41, 1L)], s.Buckets());
        Assert.Equal(2UL, s.ZeroCount);
        Assert.Equal(6UL, s.Count);
        Assert.Equal(1 + 0.999 + Math.Pow(2, 2 / 32.0) + 2.4, s.Sum, 12);
    }

    [Fact]
    public void Far_apart_observations_grow_the_buckets_both_ways()
    {
        var h = new NativeHistogram();
        var values = new[] { 0.12, 0.00001, 900, 0.12, 3.3 };
        foreach (var v in values)
        {
            h.Observe(v);
        }

        var buckets = h.Snapshot().Buckets().ToList();

        Assert.Equal(values.Select(NativeHistogram.Index).Distinct().Order(), buckets.Select(b => b.Index));
        Assert.Equal(2, buckets.Single(b => b.Index == NativeHistogram.Index(0.12)).Count);
        Assert.Equal(values.Length, buckets.Sum(b => b.Count));
    }

    [Fact]
    public void Histogram_quantile_over_the_native_buckets_is_within_2_2_percent_of_any_tight_cluster()
    {
        var worst = 0.0;
        for (var v = 0.001; v <= 600; v *= 1.003)
        {
            var h = new NativeHistogram();
            var values = Enumerable.Range(0, 200).Select(i => v * (1 + (0.001 * i / 199))).ToArray();
            foreach (var x in values)
            {
                h.Observe(x);
            }

            var sample = h.Snapshot();
            foreach (var q in (double[])[0.5, 0.95, 0.99])
            {
                var truth = values[(int)Math.Ceiling(q * values.Length) - 1];
                worst = Math.Max(worst, Math.Abs(PromQuantile.Native(q, sample) - truth) / truth);
            }
        }

        Assert.InRange(worst, 0, Math.Pow(2, 1 / 32.0) - 1);
    }

    [Fact]
    public void Samples_and_stale_markers_survive_the_wire_format()
    {
        var h = new NativeHistogram();
        foreach (var v in (double[])[0.05, 0.051, 0.7, 4, 0])
        {
            h.Observe(v);
        }

        var labels = LabelSet.Build([new("__name__", "guidellm_ttft_seconds"), new("target", "t")]);
        var stale = NativeHistogramSample.Stale(NativeHistogram.Schema, NativeHistogram.ZeroThreshold);
        var body = WriteRequestEncoder.Encode([SeriesData.Native(labels, 1_000, h.Snapshot()), SeriesData.Native(labels, 2_000, stale)]);

        var decoded = WriteRequestEncoder.Decode(body);

        Assert.Equal(2, WriteRequestEncoder.CountSamples(body));
        var (at, sample) = Assert.Single(decoded[0].Histograms);
        Assert.Equal(1_000, at);
        Assert.Empty(decoded[0].Samples);
        Assert.Equal(h.Snapshot().Buckets(), sample.Buckets());
        Assert.Equal((NativeHistogram.Schema, NativeHistogram.ZeroThreshold, 1UL, 5UL), (sample.Schema, sample.ZeroThreshold, sample.ZeroCount, sample.Count));
        Assert.True(decoded[1].Histograms[0].Histogram.IsStale);
        Assert.False(sample.IsStale);
    }
}
