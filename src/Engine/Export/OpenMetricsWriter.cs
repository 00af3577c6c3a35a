using System.Globalization;
using System.Text;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// Writes an archived report's series as OpenMetrics text that <c>promtool tsdb create-blocks-from openmetrics</c> accepts:
/// each counter and histogram series at 0 at the run's start and at its final value at its end, so backfilled data
/// reads through <c>increase()</c> and <c>histogram_quantile()</c> like pushed data.
/// </summary>
public static class OpenMetricsWriter
{
    /// <summary>Writes <paramref name="report"/>; throws when it carries no series (reports older than the series section).</summary>
    public static void Write(RunReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        if (report.Series is not { Count: > 0 } series)
        {
            throw new InvalidOperationException($"report {report.RunId} has no 'series' section to export");
        }

        var start = Seconds(report.StartedAt);
        var end = Seconds(report.EndedAt);
        foreach (var family in RunnerMetrics.All)
        {
            var members = series.Where(s => Family(s.Name) == family.Name).ToList();
            if (members.Count == 0)
            {
                continue;
            }

            var typeName = family.Type == MetricKind.Counter && family.Name.EndsWith("_total", StringComparison.Ordinal) ? family.Name[..^"_total".Length] : family.Name;
            output.Write($"# TYPE {typeName} {family.Type.ToString().ToLowerInvariant()}\n# HELP {typeName} {family.Help}\n");
            foreach (var s in members.OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => Le(s), Comparer<double>.Default))
            {
                var labels = FormatLabels(s.Labels);
                if (family.Type != MetricKind.Gauge)
                {
                    output.Write($"{s.Name}{labels} 0 {start}\n");
                }

                output.Write($"{s.Name}{labels} {Number(s.Value)} {end}\n");
            }
        }

        output.Write("# EOF\n");
    }

    private static string Family(string sample)
    {
        foreach (var suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && RunnerMetrics.All.Any(f => f.Type == MetricKind.Histogram && f.Name == sample[..^suffix.Length]))
            {
                return sample[..^suffix.Length];
            }
        }

        return sample;
    }

    private static double Le(ReportSeries s) =>
        s.Labels.TryGetValue("le", out var le) ? (le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture)) : -1;

    private static string FormatLabels(IReadOnlyDictionary<string, string> labels)
    {
        if (labels.Count == 0)
        {
            return string.Empty;
        }

        var text = new StringBuilder("{");
        foreach (var (name, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            if (text.Length > 1)
            {
                text.Append(',');
            }

            text.Append(name).Append("=\"").Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('"');
        }

        return text.Append('}').ToString();
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Seconds(DateTimeOffset at) => (at.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture);
}
