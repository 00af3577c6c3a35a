using System.Globalization;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Deploy.Tests.Grafana;

/// <summary>
/// The dashboard links to the archived pages without a run id label: a point of a runner time series opens the day
/// index of its series' environment and target, in the archive's own layout.
/// </summary>
public sealed class ReportLinkTests
{
    [Fact]
    public void An_archive_url_variable_holds_no_secret()
    {
        var variable = Dashboard.Load().GetProperty("templating").GetProperty("list").EnumerateArray().Single(v => v.GetProperty("name").GetString() == "archive_url");

        Assert.Equal("textbox", variable.GetProperty("type").GetString());
        Assert.DoesNotContain("sig=", variable.GetProperty("query").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public void A_point_of_a_runner_time_series_links_to_its_targets_day_index_in_the_archive_layout()
    {
        var linked = Dashboard.Load().GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("fieldConfig", out var f) && f.GetProperty("defaults").TryGetProperty("links", out _))
            .ToList();

        Assert.Equal(["Request rate sent", "Successes and failures", "Time to first token (client)"], linked.Select(p => p.GetProperty("title").GetString()));
        var started = new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);
        var expected = "https://example.blob.core.windows.net/guidellm-reports/" + ReportLayout.DayIndexPath(ReportLayout.ReportPath("staging", "mistral-7b", started, "run-1"));
        foreach (var panel in linked)
        {
            Assert.All(panel.GetProperty("targets").EnumerateArray(), t => Assert.Contains("by (environment, target", t.GetProperty("expr").GetString()!, StringComparison.Ordinal));
            var link = Assert.Single(panel.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("links").EnumerateArray());
            Assert.True(link.GetProperty("targetBlank").GetBoolean());
            Assert.Equal(expected, Resolve(link.GetProperty("url").GetString()!, "https://example.blob.core.windows.net/guidellm-reports", "staging", "mistral-7b", started.AddMinutes(3)));
        }
    }

    /// <summary>What Grafana makes of a data link's URL for a point of the series {environment, target} at <paramref name="time"/> (a browser on UTC).</summary>
    private static string Resolve(string url, string archive, string environment, string target, DateTimeOffset time) => url
        .Replace("${archive_url}", archive, StringComparison.Ordinal)
        .Replace("${__field.labels.environment}", environment, StringComparison.Ordinal)
        .Replace("${__field.labels.target}", target, StringComparison.Ordinal)
        .Replace("${__value.time:date:YYYY}", time.UtcDateTime.ToString("yyyy", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("${__value.time:date:MM}", time.UtcDateTime.ToString("MM", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("${__value.time:date:DD}", time.UtcDateTime.ToString("dd", CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
