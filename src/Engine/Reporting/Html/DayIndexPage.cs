using System.Globalization;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>
/// The page listing a target's runs of one day (<c>index.html</c> in the day's folder), with relative links to each
/// run's page, report and records: what a dashboard links to, since series carry no run id.
/// </summary>
internal static class DayIndexPage
{
    public static string Render(string environment, string target, string day, IEnumerable<RunListing> runs)
    {
        var list = runs.OrderByDescending(r => r.StartedAt ?? DateTimeOffset.MinValue).ThenBy(r => r.RunId, StringComparer.Ordinal).ToList();
        var page = new HtmlWriter();
        page.Raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
            .Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n")
            .Element("title", $"{environment}/{target} runs of {day} · guidellm-runner")
            .Raw("<style>").Raw(PageStyle.Css).Raw("</style>\n</head>\n<body>\n");
        page.Open("h1").Text(target).Raw(" ").Element("small", $"{environment} · runs of {day} (UTC)").Close("h1");
        if (DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            // A dashboard in another time zone may land on the day next to the run's UTC day: its neighbours are a click away.
            static string Folder(DateOnly d) => d.ToString("'../../../'yyyy'/'MM'/'dd'/index.html'", CultureInfo.InvariantCulture);
            page.Open("nav", "aria-label=\"Days\"")
                .Element("a", $"← {date.AddDays(-1):yyyy-MM-dd}", $"href=\"{Folder(date.AddDays(-1))}\"")
                .Element("a", $"{date.AddDays(1):yyyy-MM-dd} →", $"href=\"{Folder(date.AddDays(1))}\"")
                .Text(" (days with no run have no index)")
                .Close("nav");
        }

        if (list.Count == 0)
        {
            page.Element("p", "No run report in this folder.", "class=\"notice\"");
        }
        else
        {
            page.Open("div", "class=\"scroll\"").Open("table", "data-table=\"runs\"").Open("thead").Open("tr");
            foreach (var header in (string[])["Started (UTC)", "Run", "Status", "Model", "Files"])
            {
                page.Element("th", header, "scope=\"col\"");
            }

            page.Close("tr").Close("thead").Open("tbody");
            foreach (var run in list)
            {
                var name = Uri.EscapeDataString(run.RunId);
                page.Open("tr").Element("td", run.StartedAt?.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) ?? "–");
                page.Open("th", "scope=\"row\"");
                if (run.HasPage)
                {
                    page.Element("a", run.RunId, $"href=\"{name}{ReportLayout.PageSuffix}\"");
                }
                else
                {
                    page.Text(run.RunId);
                }

                page.Close("th");
                var css = run.Status switch { "completed" => "good", "failed" => "bad", "cancelled" => "warn", _ => string.Empty };
                page.Open("td").Element("span", run.Status ?? "unknown", $"class=\"badge {css}\"").Close("td");
                page.Element("td", run.Model ?? "–");
                page.Open("td").Element("a", "report", $"href=\"{name}.json\"");
                if (run.HasRequests)
                {
                    page.Raw(" · ").Element("a", "requests", $"href=\"{name}{ReportLayout.RequestsSuffix}\"");
                }

                page.Close("td").Close("tr");
            }

            page.Close("tbody").Close("table").Close("div");
        }

        page.Element("footer", "Rewritten by guidellm-runner each time a run of this target saves its report here.");
        page.Raw("</body>\n</html>\n");
        return page.ToString();
    }
}
