using System.Diagnostics;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Export;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>remote_write encoding: samples per second protobuf-encoded and snappy-compressed, and bytes per sample.</summary>
internal static class EncodingScenario
{
    public static void Run(Suite suite)
    {
        var series = Series(seriesCount: 2_000, samplesPerSeries: 50);
        var samples = series.Sum(s => s.Samples.Count);
        var raw = WriteRequestEncoder.Encode(series);
        var compressed = WriteRequestEncoder.Compress(raw);
        var iterations = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(suite.Quick ? 1 : 3))
        {
            _ = WriteRequestEncoder.Compress(WriteRequestEncoder.Encode(series));
            iterations++;
        }

        var samplesPerSecond = (double)samples * iterations / clock.Elapsed.TotalSeconds;
        suite.Table("6. remote_write encoding (protobuf + snappy), the runner's own label sets",
            ["series", "samples", "samples/s", "bytes/sample raw", "bytes/sample snappy"],
            [[series.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), samples.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), Suite.F(samplesPerSecond, 0), Suite.F((double)raw.Length / samples, 2), Suite.F((double)compressed.Length / samples, 2)]]);
        var pushes = PushPayload.Layouts.Select(l => PushCost(suite, l.Name, l.Layout, l.Native)).ToList();
        suite.Table("6b. one target's push after a 1,000-request burst (snapshot, protobuf, snappy), per histogram layout",
            ["layout", "series", "bytes raw", "bytes snappy", "µs per push", "bodies"],
            pushes.Select(p => new[] { p.Layout, p.Series.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), p.Raw.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), p.Compressed.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), Suite.F(p.Micros, 0), p.Bodies.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        suite.Sections["encoding"] = new { series = series.Count, samples, samplesPerSecond, bytesPerSampleRaw = (double)raw.Length / samples, bytesPerSampleCompressed = (double)compressed.Length / samples, pushes };
    }

    private static PushFigures PushCost(Suite suite, string name, Engine.Export.HistogramLayout layout, bool native)
    {
        var metrics = PushPayload.Burst(layout, native);
        var bodies = PushPayload.Push(metrics, 1_764_295_200_000);
        var iterations = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(suite.Quick ? 0.5 : 2))
        {
            foreach (var body in PushPayload.Push(metrics, 1_764_295_200_000 + iterations))
            {
                _ = WriteRequestEncoder.Compress(body);
            }

            iterations++;
        }

        return new PushFigures(name, bodies.Sum(WriteRequestEncoder.CountSamples), bodies.Sum(b => b.Length), bodies.Sum(b => WriteRequestEncoder.Compress(b).Length), clock.Elapsed.TotalMicroseconds / iterations, bodies.Count);
    }

    /// <summary>One layout's push: series (a native histogram counts once), body sizes, time per push and request count.</summary>
    internal sealed record PushFigures(string Layout, int Series, int Raw, int Compressed, double Micros, int Bodies);

    /// <summary>Histogram-bucket-like series with the runner's labels, 15 s apart, values rising as counters do.</summary>
    public static List<SeriesData> Series(int seriesCount, int samplesPerSeries)
    {
        var start = DateTimeOffset.Parse("2026-11-28T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        return [.. Enumerable.Range(0, seriesCount).Select(i => new SeriesData(
            [
                new("__name__", "guidellm_ttft_seconds_bucket"), new("environment", "staging"), new("le", (0.001 * (i % 40 + 1)).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("model", "mistralai/Mistral-7B-Instruct-v0.3"), new("target", $"target-{i / 40}"),
            ],
            [.. Enumerable.Range(0, samplesPerSeries).Select(j => (start + j * 15_000L, (double)(j * 37 + i)))]))];
    }
}
