using System.Text;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>
/// Renders a run report as one self-contained HTML page: no script, no stylesheet, font or image fetched, charts as
/// inline SVG drawn by OxyPlot, each with a text alternative. With a baseline report, both runs are overlaid and
/// compared. A section the report does not have (older schema versions, features not used) is left out, and the page
/// says what it could not show and why.
/// </summary>
public static class ReportPage
{
    /// <summary>The page of <paramref name="report"/>, compared with <paramref name="baseline"/> when given.</summary>
    public static string Render(ReportDocument report, ReportDocument? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var charts = new SvgCharts();
        var sections = new List<(string Id, string Title, HtmlWriter Body)>();
        void Add(string id, string title, HtmlWriter? body)
        {
            if (body is not null)
            {
                sections.Add((id, title, body));
            }
        }

        Add("summary", "Summary", PageSections.Summary(report, baseline));
        Add("verdict", "Verdict", PageSections.Verdict(report, baseline));
        Add("distributions", "Latency distributions", PageSections.Distributions(charts, report, baseline));
        Add("timeline", "Over time", PageSections.Timeline(charts, report, baseline));
        Add("load", "Latency against load", PageSections.Load(charts, report, baseline));
        Add("slo", "SLO attainment and goodput", PageSections.Slo(charts, report));
        Add("server", "Server and client", PageSections.Server(charts, report));
        Add("validity", "Measurement validity", PageSections.Validity(report));
        Add("turns", "Per turn", PageSections.Turns(report));
        Add("shards", "Shards", PageSections.Shards(report));
        Add("config", "Configuration", PageSections.Config(report));

        var page = new HtmlWriter();
        page.Raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
            .Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n")
            .Raw("<meta name=\"generator\" content=\"guidellm-runner\">\n")
            .Element("title", $"{report.Environment}/{report.Target} {report.Status} · {report.RunId} · guidellm-runner");
        page.Raw("<style>").Raw(PageStyle.Css).Raw("</style>\n</head>\n<body>\n");
        PageSections.Header(page, report, baseline);
        PageSections.Notices(page, report, baseline, charts.Failures);
        page.Open("nav", "aria-label=\"Sections\"");
        foreach (var (id, title, _) in sections)
        {
            page.Element("a", title, $"href=\"#{id}\"");
        }

        page.Close("nav");
        foreach (var (id, title, body) in sections)
        {
            page.Open("section", $"id=\"{id}\"").Element("h2", title).Raw(body).Close("section");
        }

        page.Open("footer")
            .Text($"Drawn by guidellm-runner from {report.Source}{(baseline is null ? string.Empty : $" and baseline {baseline.Source}")}")
            .Text(report.SchemaVersion is { } v ? $" (report schema version {v})" : string.Empty)
            .Text(". Charts drawn with OxyPlot 2.2.0 (MIT licence) as inline SVG; the page runs no script and loads nothing from any network. Definitions: docs/metrics.md.")
            .Close("footer");
        page.Raw("</body>\n</html>\n");
        return page.ToString();
    }

    /// <summary><see cref="Render"/> as UTF-8 bytes.</summary>
    public static byte[] RenderUtf8(ReportDocument report, ReportDocument? baseline = null) => Encoding.UTF8.GetBytes(Render(report, baseline));
}
