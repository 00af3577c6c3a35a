using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;

namespace GuidellmFunctions.Engine.Tests.Configuration;

/// <summary>The histogram keys of the config: <c>buckets:</c> and a receiver's <c>native_histograms</c>.</summary>
public sealed class BucketsConfigTests
{
    private const string Environments = """
        environments:
          dev:
            targets:
              - { name: a, url: "http://127.0.0.1:1", model: m }

        """;

    private static RunnerConfig Load(string yaml) => new ConfigLoader(_ => null).LoadText(Environments + yaml, "histograms.yaml");

    [Fact]
    public void Native_histograms_are_asked_for_per_receiver_and_off_by_default()
    {
        var config = Load("""
            remote_write:
              - url: http://prometheus:9090/api/v1/write
                native_histograms: true
              - url: http://victoria:8428/api/v1/write
            """);

        Assert.True(config.RemoteWrite[0].NativeHistograms);
        Assert.False(config.RemoteWrite[1].NativeHistograms);
    }

    [Fact]
    public void Buckets_name_a_layout_or_list_bounds_per_histogram_and_leave_the_others_at_the_default()
    {
        var config = Load("""
            buckets:
              ttft: go_runner
              e2e_latency: [0.5, 1, 2.5, 5, 10, 30, 60]
              tpot: fine
            """);

        Assert.Equal(BucketLayouts.GoRunnerTtft, config.Buckets.For(RunnerMetrics.Ttft));
        Assert.Equal([0.5, 1, 2.5, 5, 10, 30, 60], config.Buckets.For(RunnerMetrics.E2e));
        Assert.Same(BucketLayouts.TokenGap, config.Buckets.For(RunnerMetrics.Tpot));
        Assert.Same(BucketLayouts.TokenGap, config.Buckets.For(RunnerMetrics.Itl));
        Assert.Same(HistogramLayout.Default, Load(string.Empty).Buckets);
    }

    [Fact]
    public void Every_bad_bucket_setting_is_reported_with_its_key_and_line()
    {
        var ex = Assert.Throws<ConfigValidationException>(() => Load("""
            buckets:
              ttft: coarse
              itl: [0.5, 0.1]
              tpot: [0.01, fast, -1]
              latency: fine
              e2e_latency: { le: 1 }
            remote_write:
              - url: http://prometheus:9090/api/v1/write
                native_histograms: maybe
            """));

        var byKey = ex.Errors.ToDictionary(e => e.Key, e => e);
        Assert.Contains("unknown layout 'coarse' (known: fine, go_runner, or a list", byKey["buckets.ttft"].Message, StringComparison.Ordinal);
        Assert.Equal(6, byKey["buckets.ttft"].Line);
        Assert.Equal("boundaries must be ascending (0.5 then 0.1)", byKey["buckets.itl"].Message);
        Assert.Contains("must be a number > 0, got 'fast'", byKey["buckets.tpot[1]"].Message, StringComparison.Ordinal);
        Assert.Contains("must be a number > 0, got '-1'", byKey["buckets.tpot[2]"].Message, StringComparison.Ordinal);
        Assert.Contains("unknown histogram (known: ttft, itl, e2e_latency, tpot, dispatch_delay, ttfo)", byKey["buckets.latency"].Message, StringComparison.Ordinal);
        Assert.Contains("must be a layout name", byKey["buckets.e2e_latency"].Message, StringComparison.Ordinal);
        Assert.Contains("remote_write[0].native_histograms", byKey.Keys);
    }
}
