using System.Text.RegularExpressions;
using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Reporting.Html;

namespace GuidellmFunctions.Engine.Tests.Reporting.Html;

/// <summary>The page's content, read from its HTML; how a browser shows it is <see cref="ReportPageBrowserTests"/>.</summary>
[Collection(ReportPagesCollection.Name)]
public sealed partial class ReportPageTests(ReportFixtures reports)
{
    private static async Task<string> PageAsync(string report, string? baseline = null) =>
        ReportPage.Render(
            await ArchivedReport.LoadAsync(report, null, CancellationToken.None),
            baseline is null ? null : await ArchivedReport.LoadAsync(baseline, null, CancellationToken.None));

    private static IReadOnlyList<string> Charts(string html) => [.. ChartKind().Matches(html).Select(m => m.Groups[1].Value)];

    [Fact]
    public async Task The_store_writes_the_page_and_the_day_index_beside_the_report()
    {
        var page = reports.Sweep[..^".json".Length] + ReportLayout.PageSuffix;
        var index = Path.Combine(Path.GetDirectoryName(reports.Sweep)!, ReportLayout.DayIndexName);

        Assert.True(File.Exists(page));
        Assert.Equal(await PageAsync(reports.Sweep), await File.ReadAllTextAsync(page));
        var listing = await File.ReadAllTextAsync(index);
        Assert.Contains($"href=\"{ReportFixtures.RunId}.html\"", listing, StringComparison.Ordinal);
        Assert.Contains($"href=\"{ReportFixtures.RunId}.requests.jsonl.gz\"", listing, StringComparison.Ordinal);
        Assert.Contains("completed", listing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sweep_shows_its_distributions_from_histograms_its_timeline_and_latency_against_throughput()
    {
        var html = await PageAsync(reports.Sweep);

        Assert.Equal(
            ["distribution-ttftMs", "distribution-itlMs", "distribution-tpotMs", "distribution-e2eLatencyMs", "timeline-inflight", "timeline-ttft", "timeline-failures", "load-ttftMs", "load-tpotMs", "load-e2eLatencyMs", "server-ttftMs", "server-e2eLatencyMs"],
            Charts(html));
        Assert.Contains("From each stage&#39;s histogram", html, StringComparison.Ordinal);
        Assert.DoesNotContain("percentiles only", html, StringComparison.Ordinal);
        Assert.Contains("http_5xx", html, StringComparison.Ordinal);
        foreach (var label in (string[])["0: synchronous", "1: throughput×8", "2: constant@", "3: constant@"])
        {
            Assert.Contains(label, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_section_a_report_can_hold_is_shown()
    {
        var html = await PageAsync(reports.Full);

        Assert.Equal(
            ["distribution-ttftMs", "distribution-ttfoMs", "distribution-itlMs", "distribution-tpotMs", "distribution-e2eLatencyMs", "timeline-inflight", "timeline-ttft", "timeline-failures",
             "capacity", "load-ttftMs", "load-tpotMs", "load-e2eLatencyMs", "slo-attainment", "slo-goodput", "server-ttftMs", "server-e2eLatencyMs"],
            Charts(html));
        foreach (var table in (string[])["summary", "verdict", "capacity", "slo", "server", "client-minus-server", "validity", "turns", "shards"])
        {
            Assert.Contains($"data-table=\"{table}\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("data-verdict=\"improved\"", html, StringComparison.Ordinal);
        Assert.Contains("NOT valid: stage 1 (throughput×8): runner CPU above 90% of a core", html, StringComparison.Ordinal);
        Assert.Contains("SLO 60 ms", html, StringComparison.Ordinal);
        Assert.Contains("capacity: ", html, StringComparison.Ordinal);
        Assert.Contains("TTFO", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_chart_has_a_title_a_description_and_units_and_the_page_asks_for_nothing_outside_it()
    {
        var html = await PageAsync(reports.Full, reports.Baseline);

        var svgs = Svg().Matches(html).Select(m => m.Value).ToList();
        Assert.Equal(Charts(html).Count, svgs.Count);
        foreach (var svg in svgs)
        {
            Assert.Matches("""^<svg [^>]*role="img" aria-labelledby="(k\d+)t \1d"[^>]*><title id="\1t">[^<]+</title><desc id="\1d">[^<]{40,}</desc>""", svg);
            Assert.Matches(@"\[(ms|%|s|req/s|requests|per [0-9.]+ s|concurrent streams)\]", svg);
        }

        Assert.DoesNotContain("OxyPlot exception", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(http", html, StringComparison.OrdinalIgnoreCase);
        Assert.All(Href().Matches(html), m => Assert.StartsWith("#", m.Groups[1].Value, StringComparison.Ordinal));
        Assert.Equal(svgs.Count, Regex.Count(html, "http://www.w3.org/2000/svg"));
        Assert.Contains("default-src 'none'", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_baseline_is_overlaid_and_compared()
    {
        var html = await PageAsync(reports.Full, reports.Baseline);

        Assert.Contains("data-table=\"comparison\"", html, StringComparison.Ordinal);
        Assert.Contains("Baseline 20261130T020000Z-base", html, StringComparison.Ordinal);
        Assert.Contains("baseline synchronous (percentiles only)", html, StringComparison.Ordinal);
        Assert.Contains("baseline TTFT p95", html, StringComparison.Ordinal);
        Assert.Contains("baseline p50 per bin", html, StringComparison.Ordinal);
        Assert.Contains("−20%", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_run_with_no_successful_request_says_why()
    {
        var html = await PageAsync(reports.Failed);

        Assert.Contains("data-status=\"failed\"", html, StringComparison.Ordinal);
        Assert.Contains("No request succeeded, so there is no latency to show. Failures by reason: connection 5.", html, StringComparison.Ordinal);
        Assert.Contains("the target refuses the requests (connection=5)", html, StringComparison.Ordinal);
        Assert.Contains("no latency distribution to draw", html, StringComparison.Ordinal);
        Assert.Equal(["timeline-inflight", "timeline-ttft", "timeline-failures"], Charts(html));
        Assert.Contains("no successful request: no TTFT to show", html, StringComparison.Ordinal);
        Assert.Contains("data-table=\"messages\"", html, StringComparison.Ordinal);
        var firstMessages = Regex.Match(html, "<table[^>]*data-table=\"error-messages\".*?</table>", RegexOptions.Singleline).Value;
        Assert.Contains("<td>connection</td>", firstMessages, StringComparison.Ordinal);
        Assert.Contains("refused", firstMessages, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_older_report_renders_what_it_has_and_says_what_it_lacks()
    {
        var html = await PageAsync(reports.Old);

        Assert.Contains("The report has no schemaVersion", html, StringComparison.Ordinal);
        Assert.Contains("percentiles only", html, StringComparison.Ordinal);
        Assert.Contains("were not found beside the report", html, StringComparison.Ordinal);
        Assert.Equal(["distribution-ttftMs", "distribution-itlMs", "distribution-tpotMs", "distribution-e2eLatencyMs", "load-ttftMs", "load-tpotMs", "load-e2eLatencyMs"], Charts(html));
    }

    [Fact]
    public async Task The_page_is_the_same_every_time_it_is_drawn()
    {
        Assert.Equal(await PageAsync(reports.Full, reports.Baseline), await PageAsync(reports.Full, reports.Baseline));
    }

    [GeneratedRegex("""<figure class="chart" data-chart="([^"]+)">""")]
    private static partial Regex ChartKind();

    [GeneratedRegex("<svg .*?</svg>", RegexOptions.Singleline)]
    private static partial Regex Svg();

    [GeneratedRegex("""href="([^"]*)""")]
    private static partial Regex Href();
}
