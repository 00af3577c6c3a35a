using System.IO.Compression;
using System.Text;
using GuidellmFunctions.Engine.Reporting.Html;

namespace GuidellmFunctions.Engine.Tests.Reporting.Html;

public sealed class ReportDocumentTests
{
    private static ReportDocument Parse(string json) => ReportDocument.Parse(Encoding.UTF8.GetBytes(json), "r.json");

    [Theory]
    [InlineData("not json at all", "r.json is not a run report: it is not JSON")]
    [InlineData("[1, 2]", "r.json is not a run report: its top level is a JSON array, not an object")]
    [InlineData("""{"environment":"staging","targets":["a"],"overrides":{"rate":5}}""", "r.json is not a run report: it has no runId (a string) and no benchmarks (an array)")]
    [InlineData("""{"runId":"x","environment":"e"}""", "r.json is not a run report: it has no benchmarks (an array)")]
    [InlineData("""{"runId":7,"benchmarks":[]}""", "r.json is not a run report: it has no runId (a string)")]
    public void A_file_that_is_not_a_report_is_refused_with_the_reason(string json, string message)
    {
        var error = Assert.Throws<NotARunReportException>(() => Parse(json));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_per_request_file_given_as_a_report_is_refused()
    {
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write("{\"stage\":0}\n"u8);
        }

        var error = Assert.Throws<NotARunReportException>(() => ReportDocument.Parse(gz.ToArray(), "x.requests.jsonl.gz"));
        Assert.Contains("it is not JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_minimal_report_renders_and_a_newer_one_says_so()
    {
        var minimal = Parse("""{"runId":"r1","benchmarks":[]}""");
        var html = ReportPage.Render(minimal);
        Assert.Contains("The report has no stages", html, StringComparison.Ordinal);
        Assert.Contains("The report has no schemaVersion", html, StringComparison.Ordinal);

        var newer = ReportPage.Render(Parse("""{"schemaVersion":99,"runId":"r1","status":"completed","benchmarks":[],"somethingNew":{"a":1}}"""));
        Assert.Contains("schema version 99 is newer", newer, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_from_a_report_or_a_server_reply_cannot_become_markup()
    {
        var report = Parse("""
            {"schemaVersion":1,"runId":"r1","target":"<script>alert(1)</script>","environment":"e\"><img src=x>","status":"failed",
             "statusReason":"<b>no</b>","startedAt":"2026-12-01T00:00:00Z",
             "benchmarks":[{"index":0,"profile":{"kind":"<svg onload=x>"},"durationSeconds":1,"stopReason":"max_seconds",
               "summary":{"requests":{"total":1,"successful":0,"failed":1,"incomplete":0},"errors":{"<i>x</i>":1}}}]}
            """);
        report.ReadRequests(new MemoryStream(Encoding.UTF8.GetBytes("""
            {"stage":0,"status":"failed","reason":"<i>x</i>","error":"HTTP 500: <script>steal()</script><img src=x onerror=y>","sentMs":1,"e2eMs":2}
            """)));

        var html = ReportPage.Render(report);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>no", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg onload", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<i>x", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;steal()&lt;/script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Mistyped_or_broken_sections_read_as_absent_and_a_broken_histogram_falls_back_to_the_percentiles()
    {
        var report = Parse("""
            {"schemaVersion":1,"runId":"r1","status":"completed","startedAt":"not a date","config":"oops","capacity":[1],"verdict":7,
             "benchmarks":[{"index":0,"profile":{"kind":"constant","rate":"2"},"durationSeconds":5,"stopReason":"max_seconds",
               "summary":{"requests":{"total":3,"successful":3,"failed":0,"incomplete":0},"errors":{"timeout":"x"},
                 "ttftMs":{"count":3,"mean":10,"min":9,"max":11,"p50":10,"p90":11,"p95":11,"p99":11,"p999":11,
                           "histogram":{"layout":"loglinear-us-512","spans":[[5,2]],"counts":[1]}},
                 "itlMs":"broken","slo":{"attainment":"n/a"}}}]}
            """);

        var html = ReportPage.Render(report);

        Assert.Contains("Stage 0 ttftMs: the histogram cannot be read (histogram spans cover 2 buckets but 1 counts are given)", html, StringComparison.Ordinal);
        Assert.Contains("data-chart=\"distribution-ttftMs\"", html, StringComparison.Ordinal);
        Assert.Contains("constant@2/s (percentiles only)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-chart=\"distribution-itlMs\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("OxyPlot exception", html, StringComparison.Ordinal);
    }
}
