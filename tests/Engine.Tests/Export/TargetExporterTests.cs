using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Engine.Tests.Export;

/// <summary>One target's burst pushed on a fake clock to receivers on loopback: what is sent, when, and to whom.</summary>
public sealed class TargetExporterTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-target-exporter-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static StageContext Stage() => new("run-1", BurstMetricsTests.Target, new StagePlan(0, ProfileKind.Concurrent, null, 2, null, TimeSpan.FromMinutes(1), null, null, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(30), 1), 0, () => 2);

    internal static RunReport Report() => new()
    {
        RunId = "run-1", Environment = "dev", Target = "sim", Model = "m/7b", Status = RunStatus.Completed, Trigger = RunTrigger.Cli,
        StartedAt = DateTimeOffset.UnixEpoch, EndedAt = DateTimeOffset.UnixEpoch,
        Config = new TargetReport { Endpoint = "http://127.0.0.1:9/v1/chat/completions", Settings = EffectiveConfig.Settings(new BenchmarkSettings()) },
        Benchmarks = [],
    };

    private RemoteWriteConfig Receiver(FakeReceiver receiver, bool native = false) => new()
    {
        Url = receiver.Url, PushInterval = Interval, NativeHistograms = native, MaxAttempts = 1,
    };

    /// <summary>Zero push at the stage start, one request, one push after an interval, another request, then the run's end.</summary>
    private async Task<RunReport> BurstAsync(RemoteWriteExporter exporter, Func<int> pushes)
    {
        var exporterForTarget = exporter.ForTarget(BurstMetricsTests.Target);
        var stage = Stage();
        exporterForTarget.OnStageStarted(stage);
        exporterForTarget.OnRequestCompleted(stage, BurstMetricsTests.Success(ttftMs: 120), RequestPhase.Measured);
        exporterForTarget.OnRequestCompleted(stage, BurstMetricsTests.Success(ttftMs: 9000), RequestPhase.Warmup);

        // The clock moves only between deliveries: attempt timeouts run on it too.
        await UntilAsync(() => pushes() > 0);
        var seen = pushes();
        _time.Advance(Interval);
        await UntilAsync(() => pushes() > seen);

        exporterForTarget.OnRequestCompleted(stage, BurstMetricsTests.Success(ttftMs: 700), RequestPhase.Measured);
        _time.Advance(TimeSpan.FromSeconds(1));
        return await exporterForTarget.OnRunCompletedAsync(Report(), CancellationToken.None);
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), "the receiver was not sent the push");
    }

    private static Dictionary<string, List<(long At, double Value)>> Floats(FakeReceiver receiver) => receiver.Accepted.Where(s => s.Samples.Count > 0)
        .GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key is "__name__" or "le" or "reason").Select(l => l.Value)), StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.SelectMany(s => s.Samples).Select(s => (s.TimestampMs, s.Value)).ToList(), StringComparer.Ordinal);

    [Fact]
    public async Task A_burst_is_pushed_as_zeros_then_cumulative_samples_then_stale_markers_one_millisecond_after_the_last()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        using var exporter = new RemoteWriteExporter([Receiver(receiver)], new SampleSpool(Path.Combine(_dir, "spool")), _time);

        var report = await BurstAsync(exporter, () => receiver.Requests.Count);

        var series = Floats(receiver);
        var total = series["guidellm_requests_total"];
        Assert.True(total.Count >= 4, $"{total.Count} samples");
        Assert.Equal(0, total[0].Value);
        Assert.Equal(2, total[^2].Value);
        Assert.True(StaleMarker.Is(total[^1].Value));
        Assert.Equal(total[^2].At + 1, total[^1].At);
        Assert.Equal(total.Select(s => s.At).Order(), total.Select(s => s.At));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), total[0].At);
        Assert.Equal(1, series["guidellm_ttft_seconds_bucket,0.12"][^2].Value);
        Assert.Equal(2, series["guidellm_ttft_seconds_bucket,0.7"][^2].Value);
        Assert.Equal(1, series["guidellm_benchmark_runs_total"][^2].Value);
        Assert.All(series.Values, s => Assert.True(StaleMarker.Is(s[^1].Value)));
        Assert.DoesNotContain(receiver.Accepted, s => s.Histograms.Count > 0);
        var export = Assert.Single(report.Export!);
        Assert.Equal(receiver.Accepted.Sum(s => s.SampleCount), export.SamplesDelivered);
        Assert.Equal(0, export.SamplesSpooled + export.SamplesRejected);
    }

    [Fact]
    public async Task Native_histograms_go_only_to_the_receivers_that_ask_in_bodies_of_their_own()
    {
        await using var native = await FakeReceiver.StartAsync();
        await using var classic = await FakeReceiver.StartAsync();
        using var exporter = new RemoteWriteExporter([Receiver(native, native: true), Receiver(classic)], new SampleSpool(Path.Combine(_dir, "spool")), _time);

        var report = await BurstAsync(exporter, () => native.Requests.Count);

        Assert.DoesNotContain(classic.Accepted, s => s.Histograms.Count > 0);
        Assert.All(native.Requests, r => Assert.True(r.Series.All(s => s.Histograms.Count > 0) || r.Series.All(s => s.Histograms.Count == 0), "a body mixes native and classic series"));
        var ttft = native.Accepted.Where(s => s.Name == "guidellm_ttft_seconds").SelectMany(s => s.Histograms).ToList();
        Assert.Equal(0UL, ttft[0].Histogram.Count);
        Assert.Equal(2UL, ttft[^2].Histogram.Count);
        Assert.Equal([NativeHistogram.Index(0.12), NativeHistogram.Index(0.7)], ttft[^2].Histogram.Buckets().Select(b => b.Index));
        Assert.True(ttft[^1].Histogram.IsStale);
        Assert.Equal(ttft[^2].TimestampMs + 1, ttft[^1].TimestampMs);
        Assert.Equal(Floats(native)["guidellm_ttft_seconds_count"].Select(s => s.At), ttft.Select(h => h.TimestampMs));
        Assert.Equal(HistogramLayout.Families.Values.Select(f => f.Name).Order(), native.Accepted.Where(s => s.Histograms.Count > 0).Select(s => s.Name).Distinct().Order());
        Assert.Equal(Floats(classic).Keys.Order(), Floats(native).Keys.Order());
        Assert.All(report.Export!, e => Assert.Equal(0, e.SamplesRejected + e.SamplesSpooled));
    }

    [Fact]
    public async Task A_receiver_that_refuses_native_histograms_gets_every_classic_series_and_the_report_says_why()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        receiver.RefuseNative = true;
        using var exporter = new RemoteWriteExporter([Receiver(receiver, native: true)], new SampleSpool(Path.Combine(_dir, "spool")), _time);

        var report = await BurstAsync(exporter, () => receiver.Requests.Count(r => r.Status == 204));

        // One refused body (no retry: the 500 names a refusal), then no more native bodies, and nothing spooled.
        var refused = Assert.Single(receiver.Requests, r => r.Status == 500);
        Assert.All(refused.Series, s => Assert.NotEmpty(s.Histograms));
        var series = Floats(receiver);
        Assert.Equal(2, series["guidellm_requests_total"][^2].Value);
        Assert.All(series.Values, s => Assert.True(StaleMarker.Is(s[^1].Value)));
        var export = Assert.Single(report.Export!);
        Assert.Equal(0, export.SamplesSpooled);
        Assert.Equal(refused.Series.Sum(s => s.SampleCount), export.SamplesRejected);
        Assert.Contains(export.Errors, e => e.StartsWith("native histograms refused, classic buckets still sent", StringComparison.Ordinal) && e.EndsWith("HTTP 500: native histograms are disabled", StringComparison.Ordinal));
    }
}
