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
        suite.Sections["encoding"] = new { series = series.Count, samples, samplesPerSecond, bytesPerSampleRaw = (double)raw.Length / samples, bytesPerSampleCompressed = (double)compressed.Length / samples };
    }

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
