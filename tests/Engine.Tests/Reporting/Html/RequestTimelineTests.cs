using System.IO.Compression;
using System.Text;
using GuidellmFunctions.Engine.Reporting.Html;

namespace GuidellmFunctions.Engine.Tests.Reporting.Html;

public sealed class RequestTimelineTests
{
    // Two stages of 10 s; the second starts 10 s after the run.
    private const string Report = """
        {"schemaVersion":1,"runId":"t","status":"completed","startedAt":"2026-12-01T00:00:00Z",
         "benchmarks":[{"index":0,"profile":{"kind":"constant","rate":1},"startedAt":"2026-12-01T00:00:00Z","durationSeconds":10,"summary":{}},
                       {"index":1,"profile":{"kind":"constant","rate":2},"startedAt":"2026-12-01T00:00:10Z","durationSeconds":10,"summary":{}}]}
        """;

    private static ReportDocument Read(string lines, bool gzip = true)
    {
        var report = ReportDocument.Parse(Encoding.UTF8.GetBytes(Report), "t.json");
        var bytes = Encoding.UTF8.GetBytes(lines);
        using var stream = new MemoryStream();
        if (gzip)
        {
            using var z = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
            z.Write(bytes);
        }
        else
        {
            stream.Write(bytes);
        }

        stream.Position = 0;
        report.ReadRequests(stream);
        return report;
    }

    [Fact]
    public void Requests_in_flight_failures_and_ttft_are_binned_from_the_run_start()
    {
        var report = Read("""
            {"stage":0,"index":0,"status":"successful","sentMs":0,"e2eMs":4000,"ttftMs":100}
            {"stage":0,"index":1,"status":"successful","sentMs":2000,"e2eMs":2000,"ttftMs":300}
            {"stage":1,"index":0,"status":"failed","reason":"http_5xx","error":"HTTP 503: busy","sentMs":1000,"e2eMs":500}
            {"stage":1,"index":1,"status":"failed","reason":"http_5xx","error":"HTTP 503: busy","sentMs":3000,"e2eMs":10}
            {"stage":1,"index":2,"status":"incomplete","sentMs":9000,"e2eMs":1000}

            """);

        var t = report.Timeline!;
        Assert.Equal(5, t.Records);
        Assert.Equal(0, t.Malformed);
        Assert.Equal(0.05, t.BinSeconds);
        Assert.Equal(400, t.Bins);
        Assert.Equal(1, t.InFlight[10], 9);
        Assert.Equal(2, t.InFlight[50], 9);
        Assert.Equal(0, t.InFlight[90], 9);
        Assert.Equal(1, t.InFlight[(int)(11.2 / 0.05)], 9);
        Assert.Equal(0, t.InFlight[(int)(10.5 / 0.05)], 9);
        Assert.Equal(1, t.InFlight[(int)(19.5 / 0.05)], 9);
        var failures = Assert.Single(t.Failures);
        Assert.Equal("http_5xx", failures.Reason);
        Assert.Equal(1, failures.PerBin[(int)(11.5 / 0.05)]);
        Assert.Equal(1, failures.PerBin[(int)(13.01 / 0.05)]);
        Assert.Equal([("HTTP 503: busy", 2L)], t.Messages(5));
        Assert.Equal([(0.0, 100.0), (2.0, 300.0)], t.TtftPoints().Select(p => (Math.Round(p.T, 3), Math.Round(p.Ttft, 3))));
        Assert.False(t.Sampled);
    }

    [Fact]
    public void Plain_lines_are_read_and_malformed_ones_are_skipped_and_counted()
    {
        var report = Read("""
            {"stage":0,"status":"successful","sentMs":0,"e2eMs":10,"ttftMs":5}
            {"stage":0,"status":"successful","sentMs":
            ["an array"]
            {"stage":0,"status":"successful"}
            {"stage":0,"status":"successful","sentMs":100,"e2eMs":10,"ttftMs":5}
            """, gzip: false);

        Assert.Equal(2, report.Timeline!.Records);
        Assert.Equal(3, report.Timeline.Malformed);
        Assert.Contains(report.Notices, n => n.Contains("3 of the per-request records could not be read", StringComparison.Ordinal));
    }

    [Fact]
    public void Many_requests_keep_a_bounded_sample_and_per_bin_percentiles_within_five_percent()
    {
        var lines = new StringBuilder();
        for (var i = 0; i < 30_000; i++)
        {
            var ttft = i % 100 == 0 ? 900.0 : 100.0 + (i % 7);
            lines.Append(System.Globalization.CultureInfo.InvariantCulture, $"{{\"stage\":0,\"status\":\"successful\",\"sentMs\":{i * 0.3},\"e2eMs\":50,\"ttftMs\":{ttft}}}\n");
        }

        var t = Read(lines.ToString()).Timeline!;

        Assert.True(t.Sampled);
        Assert.Equal(30_000, t.TtftCount);
        Assert.Equal(2000, t.TtftPoints().Count());
        var p50 = t.TtftPercentile(50).Where(double.IsFinite).ToList();
        var p99 = t.TtftPercentile(99).Where(double.IsFinite).ToList();
        Assert.All(p50, v => Assert.InRange(v, 103 / 1.05, 103 * 1.05));
        Assert.All(p99, v => Assert.InRange(v, 100 / 1.05, 900 * 1.05));
        Assert.Contains(p99, v => v > 900 / 1.05);
    }

    [Fact]
    public void A_damaged_gzip_keeps_what_was_read_before_the_damage()
    {
        var report = ReportDocument.Parse(Encoding.UTF8.GetBytes(Report), "t.json");
        using var stream = new MemoryStream();
        using (var z = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (var i = 0; i < 50_000; i++)
            {
                z.Write(Encoding.UTF8.GetBytes($"{{\"stage\":0,\"status\":\"successful\",\"sentMs\":{i},\"e2eMs\":10,\"ttftMs\":{i % 50}}}\n"));
            }
        }

        var bytes = stream.ToArray();
        for (var i = bytes.Length * 3 / 4; i < bytes.Length - 8; i++)
        {
            bytes[i] ^= 0x5a;
        }

        report.ReadRequests(new MemoryStream(bytes));

        Assert.InRange(report.Timeline!.Records, 1, 49_999);
        Assert.Contains(report.Notices, n => n.Contains("end early", StringComparison.Ordinal) || n.Contains("could not be read", StringComparison.Ordinal));
    }
}
