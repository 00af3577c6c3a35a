using System.Globalization;
using System.Text;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>Per-stage comparisons as horizontal bars (stage names read on the left): SLO attainment and goodput, client against server.</summary>
internal static class BarCharts
{
    public static IEnumerable<Figure?> Slo(SvgCharts charts, ReportDocument report)
    {
        var stages = report.Stages.Where(s => s.Slo is not null).ToList();
        if (stages.Count == 0)
        {
            yield break;
        }

        var target = Html.Slo.Target(report);
        var attainment = Bars("SLO attainment", "share of evaluated requests meeting every objective" + (target is { } goal ? $"; the dashed line is the target, {Figures.Percent(goal)}" : string.Empty), stages, "requests meeting the SLO", "%",
            [("attainment", ChartStyle.Color(0, 3), stages.Select(s => s.Slo.Number("attainment") * 100).ToArray())], maximum: 100);
        var text = new StringBuilder("SLO attainment per stage: ");
        foreach (var s in stages)
        {
            text.Append(CultureInfo.InvariantCulture, $"{s.Label} {Figures.Percent(s.Slo.Number("attainment"))} of {Figures.Count(s.Slo.Integer("evaluated"))} evaluated{(s.Slo.Flag("met") is { } met ? met ? ", met" : ", not met" : string.Empty)}; ");
        }

        if (target is { } t)
        {
            attainment.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Vertical, X = t * 100, Color = ChartStyle.Objective, LineStyle = LineStyle.Dash, StrokeThickness = 1.5 });
            text.Append(CultureInfo.InvariantCulture, $"target {Figures.Percent(t)}.");
        }

        yield return charts.Render(attainment, "slo-attainment", text.ToString().TrimEnd(' ', ';'), "A request conforms when it meets every objective; failed requests do not conform (docs/metrics.md).", Height(stages.Count, 1));

        var goodput = Bars("Goodput and throughput", "successful requests per second, and those meeting the SLO", stages, "rate", "req/s",
        [
            ("throughput", ChartStyle.Reference, stages.Select(s => s.RequestsPerSecond).ToArray()),
            ("goodput", ChartStyle.Good, stages.Select(s => s.Slo.Number("requestGoodput")).ToArray()),
        ]);
        var words = string.Join("; ", stages.Select(s => $"{s.Label}: throughput {Figures.Number(s.RequestsPerSecond)} req/s, goodput {Figures.Number(s.Slo.Number("requestGoodput"))} req/s ({Figures.Number(s.Slo.Number("tokenGoodput"))} output tokens/s)"));
        yield return charts.Render(goodput, "slo-goodput", "Throughput and goodput per stage: " + words + ".", "Goodput counts only the requests that met the SLO.", Height(stages.Count, 2));
    }

    public static IEnumerable<Figure?> ServerAgainstClient(SvgCharts charts, ReportDocument report)
    {
        foreach (var (key, name) in new[] { ("ttftMs", "TTFT"), ("e2eLatencyMs", "E2E latency") })
        {
            var stages = report.Stages.Where(s => Stat.From(s.Server.Get(key)) is { P50: not null } && s.Stat(key) is { HasData: true }).ToList();
            if (stages.Count == 0)
            {
                continue;
            }

            var server = stages.Select(s => Stat.From(s.Server.Get(key))!).ToList();
            var model = Bars($"{name}: client and server", "the client's measure and the server's own histogram", stages, name, "ms",
            [
                ("client p50", ChartStyle.Color(0, 4), stages.Select(s => s.Stat(key)!.P50).ToArray()),
                ("server p50", ChartStyle.Color(1, 4), server.Select(s => s.P50).ToArray()),
                ("client p95", OxyColor.FromAColor(140, ChartStyle.Color(0, 4)), stages.Select(s => s.Stat(key)!.P95).ToArray()),
                ("server p95", OxyColor.FromAColor(140, ChartStyle.Color(1, 4)), server.Select(s => s.P95).ToArray()),
            ]);
            var text = string.Join("; ", stages.Select((s, i) => $"{s.Label}: client p50 {Figures.Ms(s.Stat(key)!.P50)} against server {Figures.Ms(server[i].P50)}, client p95 {Figures.Ms(s.Stat(key)!.P95)} against server {Figures.Ms(server[i].P95)}"));
            yield return charts.Render(model, "server-" + key, $"{name} measured by the client and by the server per stage: {text}.", "The difference is the network, the ingress and the HTTP server's share (clientMinusServer); server percentiles are interpolated from its histogram buckets.", Height(stages.Count, 4));
        }
    }

    private static double Height(int stages, int series) => Math.Clamp(120 + (stages * series * 16), 200, 620);

    private static PlotModel Bars(string title, string subtitle, IReadOnlyList<StageView> stages, string valueTitle, string unit, IReadOnlyList<(string Name, OxyColor Color, double?[] Values)> series, double? maximum = null)
    {
        var model = ChartStyle.Model(title, subtitle, LegendPosition.RightBottom);
        var categories = new CategoryAxis { Position = AxisPosition.Left, StartPosition = 1, EndPosition = 0, GapWidth = 0.4 };
        categories.Labels.AddRange(stages.Select(s => s.Label));
        model.Axes.Add(categories);
        var axis = ChartStyle.Axis(AxisPosition.Bottom, valueTitle, unit, minimum: 0, maximum: maximum);
        axis.MaximumPadding = maximum is null ? 0.12 : 0;
        model.Axes.Add(axis);
        foreach (var (name, color, values) in series)
        {
            var bars = new BarSeries { Title = name, FillColor = color, StrokeThickness = 0, LabelFormatString = "{0:0.#}", LabelPlacement = LabelPlacement.Outside, TextColor = ChartStyle.Reference, FontSize = 10 };
            foreach (var v in values)
            {
                bars.Items.Add(new BarItem(v ?? double.NaN));
            }

            model.Series.Add(bars);
        }

        if (series.Count == 1)
        {
            model.Legends.Clear();
        }

        return model;
    }
}
