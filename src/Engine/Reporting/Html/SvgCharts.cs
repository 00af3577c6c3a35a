using System.Text;
using System.Text.RegularExpressions;
using OxyPlot;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>
/// Draws the page's charts with OxyPlot's SVG exporter and makes each one fit to sit inline in one HTML page: a viewBox
/// so it scales, <c>role="img"</c> with <c>title</c> and <c>desc</c> for its text alternative, ids made unique per
/// chart (OxyPlot numbers its clip paths from 1 in every chart), and the repeated inline styles turned into classes
/// (a scatter point carries ~100 bytes of style otherwise).
/// </summary>
internal sealed partial class SvgCharts
{
    public const double Width = 760;
    public const double Height = 360;

    private int _count;

    /// <summary>Charts OxyPlot could not draw, with its reason.</summary>
    public List<string> Failures { get; } = [];

    /// <summary>The figure of <paramref name="model"/>, or null (and a <see cref="Failures"/> entry) when OxyPlot could not draw it.</summary>
    public Figure? Render(PlotModel model, string kind, string description, string? caption = null, double height = Height)
    {
        ArgumentNullException.ThrowIfNull(model);
        var prefix = "k" + (++_count).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string svg;
        try
        {
            svg = new SvgExporter { Width = Width, Height = height, IsDocument = false, TextMeasurer = new TextMeasurer(Width, height) }.ExportToString(model);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NullReferenceException or IndexOutOfRangeException)
        {
            Failures.Add($"{model.Title}: {ex.Message}");
            return null;
        }

        if (model.GetLastPlotException() is { } error)
        {
            Failures.Add($"{model.Title}: {error.Message}");
            return null;
        }

        // One pass over the exporter's text (a scatter chart's is hundreds of kilobytes: each copy is garbage on the
        // large object heap): indentation and font attributes out, clip-path ids made the chart's own, styles to classes.
        var classes = new Dictionary<string, string>(StringComparer.Ordinal);
        svg = Rewrite().Replace(svg, m =>
        {
            if (m.Groups["clip"].Success)
            {
                return m.Value.Replace("clipPath", prefix + "c", StringComparison.Ordinal);
            }

            if (!m.Groups["style"].Success)
            {
                return string.Empty;
            }

            var style = m.Groups["style"].Value.TrimEnd(';');
            if (m.Groups["render"].Success)
            {
                style += ";shape-rendering:" + m.Groups["render"].Value;
            }

            if (!classes.TryGetValue(style, out var name))
            {
                classes[style] = name = prefix + "s" + classes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return $"class=\"{name}\"";
        });

        var open = OpenTag().Match(svg);
        if (!open.Success)
        {
            Failures.Add($"{model.Title}: the SVG exporter wrote no svg element");
            return null;
        }

        var title = model.Title ?? kind;
        var head = new StringBuilder();
        head.Append(CultureFormat($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" class=\"plot\" role=\"img\" aria-labelledby=\"{prefix}t {prefix}d\">"));
        head.Append($"<title id=\"{prefix}t\">{HtmlWriter.Escape(title)}</title><desc id=\"{prefix}d\">{HtmlWriter.Escape(description)}</desc><style>");
        foreach (var (style, name) in classes)
        {
            head.Append('.').Append(name).Append('{').Append(style).Append('}');
        }

        head.Append("</style>");
        svg = string.Concat(head.ToString(), svg.AsSpan(open.Index + open.Length));
        return new Figure(kind, title, description, svg, caption);
    }

    private static string CultureFormat(FormattableString text) => FormattableString.Invariant(text);

    [GeneratedRegex(@"\r?\n\s*| font-family=""[^""]*""|(?<clip>(?:id=""|url\(#)clipPath)|style=""(?<style>[^""]*)""(?: shape-rendering=""(?<render>[^""]*)"")?")]
    private static partial Regex Rewrite();

    [GeneratedRegex(@"<svg[^>]*>")]
    private static partial Regex OpenTag();
}
