using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Reporting.Html;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Reporting.Html;

/// <summary>The pages in a real headless Chromium: one browser start for every page of the class.</summary>
[Collection(ReportPagesCollection.Name)]
public sealed class ReportPageBrowserTests(ReportFixtures reports, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private readonly HeadlessChromium _browser = chromium.Browser;

    private async Task<PageVisit> OpenAsync(string report, string? baseline = null, string name = "page.html")
    {
        var html = ReportPage.Render(
            await ArchivedReport.LoadAsync(report, null, CancellationToken.None),
            baseline is null ? null : await ArchivedReport.LoadAsync(baseline, null, CancellationToken.None));
        return await _browser.VisitAsync(reports.WriteFile(name, html));
    }

    private static void LooksRight(PageVisit page, IReadOnlyList<string> charts)
    {
        Assert.Empty(page.Errors);
        Assert.Empty(page.Requests);
        Assert.Equal(0, page.Probe.GetProperty("scripts").GetInt32());
        Assert.Equal(charts, page.ChartKinds);
        foreach (var chart in page.Charts)
        {
            Assert.Equal("img", chart.GetProperty("role").GetString());
            Assert.False(string.IsNullOrWhiteSpace(chart.GetProperty("title").GetString()));
            Assert.True(chart.GetProperty("desc").GetString()!.Length > 40, chart.GetProperty("desc").GetString());
            Assert.True(chart.GetProperty("width").GetDouble() > 400, $"{chart.GetProperty("kind")} is {chart.GetProperty("width")} px wide");
            Assert.True(chart.GetProperty("height").GetDouble() > 150, $"{chart.GetProperty("kind")} is {chart.GetProperty("height")} px high");
            Assert.True(chart.GetProperty("drawn").GetInt32() > 10, $"{chart.GetProperty("kind")} has {chart.GetProperty("drawn")} shapes");
        }

        var shot = PngImage.Decode(page.Screenshot);
        Assert.Equal(1280, shot.Width);
        Assert.True(shot.InkShare() > 0.02, $"the screenshot is {shot.InkShare():P2} ink");
        Assert.True(shot.Colours() > 50, $"the screenshot has {shot.Colours()} colours");
        if (page.Charts.FirstOrDefault(c => c.GetProperty("y").GetDouble() + c.GetProperty("height").GetDouble() < shot.Height) is { ValueKind: System.Text.Json.JsonValueKind.Object } first)
        {
            var ink = shot.InkShare((int)first.GetProperty("x").GetDouble(), (int)first.GetProperty("y").GetDouble(), (int)first.GetProperty("width").GetDouble(), (int)first.GetProperty("height").GetDouble());
            Assert.True(ink > 0.01, $"the first chart is {ink:P2} ink");
        }
    }

    [Fact]
    public async Task A_report_with_every_section_and_a_baseline_draws_every_chart_with_no_error_and_no_request()
    {
        var page = await OpenAsync(reports.Full, reports.Baseline);

        LooksRight(page,
            ["distribution-ttftMs", "distribution-ttfoMs", "distribution-itlMs", "distribution-tpotMs", "distribution-e2eLatencyMs", "timeline-inflight", "timeline-ttft", "timeline-failures",
             "capacity", "load-ttftMs", "load-tpotMs", "load-e2eLatencyMs", "slo-attainment", "slo-goodput", "server-ttftMs", "server-e2eLatencyMs"]);
        Assert.Equal(["summary", "error-messages", "comparison", "verdict", "messages", "capacity", "slo", "server", "client-minus-server", "validity", "turns", "shards"], page.Tables);
        Assert.Equal("completed", page.Probe.GetProperty("status").GetString());
        Assert.Contains("Measurement validity", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_the_store_wrote_opens_as_it_is()
    {
        var page = await _browser.VisitAsync(reports.Sweep[..^".json".Length] + ReportLayout.PageSuffix);

        LooksRight(page, ["distribution-ttftMs", "distribution-itlMs", "distribution-tpotMs", "distribution-e2eLatencyMs", "timeline-inflight", "timeline-ttft", "timeline-failures", "load-ttftMs", "load-tpotMs", "load-e2eLatencyMs", "server-ttftMs", "server-e2eLatencyMs"]);
    }

    [Fact]
    public async Task A_failed_run_with_no_successful_request_renders_and_says_why()
    {
        var page = await OpenAsync(reports.Failed, name: "failed.html");

        LooksRight(page, ["timeline-inflight", "timeline-ttft", "timeline-failures"]);
        Assert.Equal("failed", page.Probe.GetProperty("status").GetString());
        Assert.Contains("No request succeeded, so there is no latency to show. Failures by reason: connection 5.", page.Text, StringComparison.Ordinal);
        Assert.Contains("The run failed: ", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_older_report_renders_what_it_has()
    {
        var page = await OpenAsync(reports.Old, name: "old.html");

        LooksRight(page, ["distribution-ttftMs", "distribution-itlMs", "distribution-tpotMs", "distribution-e2eLatencyMs", "load-ttftMs", "load-tpotMs", "load-e2eLatencyMs"]);
        Assert.Contains("The report has no schemaVersion", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_day_index_opens_and_links_to_the_runs()
    {
        var page = await _browser.VisitAsync(Path.Combine(Path.GetDirectoryName(reports.Failed)!, ReportLayout.DayIndexName));

        Assert.Empty(page.Errors);
        Assert.Empty(page.Requests);
        Assert.Equal(["runs"], page.Tables);
        Assert.Contains(ReportFixtures.RunId, page.Text, StringComparison.Ordinal);
        Assert.Contains("failed", page.Text, StringComparison.Ordinal);
    }
}
