using System.Globalization;
using System.Text;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>Runs of several stages (sweeps, capacity searches): latency against throughput, with the SLO and the capacity found.</summary>
internal static class LoadCharts
{
    private static readonly (double P, string Name, LineStyle Style)[] Lines = [(50, "p50", LineStyle.Solid), (95, "p95", LineStyle.Dash), (99, "p99", LineStyle.Dot)];

    public static Figure? LatencyAgainstThroughput(SvgCharts charts, ReportDocument report, ReportDocument? baseline, string key, string name)
    {
        var stages = report.Stages.Where(s => s.RequestsPerSecond is > 0 && s.Stat(key) is { HasData: true }).OrderBy(s => s.RequestsPerSecond).ToList();
        if (stages.Count < 2)
        {
            return null;
        }

        var objective = Slo.Objective(report, key);
        var capacity = CapacityStage(report);
        var model = ChartStyle.Model($"{name} against throughput", "one point per stage", LegendPosition.TopCenter);
        model.Axes.Add(ChartStyle.Axis(AxisPosition.Bottom, "throughput (successful requests)", "req/s", minimum: 0));
        var values = stages.SelectMany(s => Lines.Select(l => s.Stat(key)!.Percentile(l.P) ?? 0)).Append(objective ?? 0).Where(v => v > 0).ToList();
        model.Axes.Add(ChartStyle.Axis(AxisPosition.Left, name, "ms", ChartStyle.WantsLog(values.DefaultIfEmpty(1).Min(), values.DefaultIfEmpty(1).Max()), minimum: values.Count == 0 ? 0 : null));
        var text = new StringBuilder($"{name} percentiles against achieved throughput, one point per stage: ");
        for (var i = 0; i < Lines.Length; i++)
        {
            var (p, label, style) = Lines[i];
            var series = new LineSeries { Title = $"{name} {label}", Color = ChartStyle.Color(i, Lines.Length), LineStyle = style, StrokeThickness = 2, MarkerType = MarkerType.Circle, MarkerSize = 3.5, MarkerFill = ChartStyle.Color(i, Lines.Length) };
            series.Points.AddRange(stages.Where(s => s.Stat(key)!.Percentile(p) is not null).Select(s => new DataPoint(s.RequestsPerSecond!.Value, s.Stat(key)!.Percentile(p)!.Value)));
            model.Series.Add(series);
        }

        foreach (var s in stages)
        {
            text.Append(CultureInfo.InvariantCulture, $"{s.Label} at {Figures.Number(s.RequestsPerSecond)} req/s: p50 {Figures.Ms(s.Stat(key)!.P50)}, p95 {Figures.Ms(s.Stat(key)!.P95)}; ");
        }

        if (baseline is not null)
        {
            var before = baseline.Stages.Where(s => s.RequestsPerSecond is > 0 && s.Stat(key)?.P95 is not null).OrderBy(s => s.RequestsPerSecond).ToList();
            if (before.Count > 0)
            {
                var series = new LineSeries { Title = $"baseline {name} p95", Color = ChartStyle.Reference, LineStyle = LineStyle.Dash, StrokeThickness = 1.6, MarkerType = MarkerType.Square, MarkerSize = 3, MarkerFill = ChartStyle.Reference };
                series.Points.AddRange(before.Select(s => new DataPoint(s.RequestsPerSecond!.Value, s.Stat(key)!.P95!.Value)));
                model.Series.Add(series);
                text.Append("baseline p95 dashed; ");
            }
        }

        if (objective is { } slo)
        {
            model.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Horizontal, Y = slo, Color = ChartStyle.Objective, LineStyle = LineStyle.Dash, StrokeThickness = 1.5, Text = $"SLO {Figures.Number(slo)} ms", TextColor = ChartStyle.Objective, FontSize = 11 });
            text.Append(CultureInfo.InvariantCulture, $"SLO objective {Figures.Ms(slo)}; ");
        }

        if (capacity is { Stage: { } at } && stages.Contains(at) && at.Stat(key)?.P95 is { } y)
        {
            model.Annotations.Add(new PointAnnotation { X = at.RequestsPerSecond!.Value, Y = y, Shape = MarkerType.Diamond, Size = 7, Fill = ChartStyle.Good, Stroke = OxyColors.Black, StrokeThickness = 1, Text = "capacity: " + capacity.Value.Words, TextColor = ChartStyle.Good, FontSize = 11, TextVerticalAlignment = VerticalAlignment.Bottom });
            text.Append(CultureInfo.InvariantCulture, $"capacity {capacity.Value.Words} at {Figures.Number(at.RequestsPerSecond)} req/s.");
        }

        var caption = "Each point is one stage: its achieved rate of successful requests and its percentiles."
            + (objective is null ? string.Empty : " The red line is the SLO objective.")
            + (capacity is { Stage: not null } ? " The diamond is the capacity found (at its p95)." : string.Empty);
        return charts.Render(model, "load-" + key, text.ToString().TrimEnd(' ', ';'), caption);
    }

    public static Figure? Capacity(SvgCharts charts, ReportDocument report)
    {
        var capacity = ((System.Text.Json.JsonElement?)report.Root).Get("capacity");
        var probes = capacity.Items("probes").Select(p => ((System.Text.Json.JsonElement?)p)).Where(p => p.Number("load") is not null && p.Number("attainment") is not null).ToList();
        if (probes.Count == 0)
        {
            return null;
        }

        var by = capacity.Text("by") ?? "load";
        var unit = by == "rate" ? "req/s" : "concurrent streams";
        var loads = probes.Select(p => p.Number("load")!.Value).ToList();
        var model = ChartStyle.Model("Capacity search", $"SLO attainment of each probe, by {by}", LegendPosition.TopCenter);
        var log2 = loads.Min() > 0 && loads.Max() / loads.Min() >= 8;
        var x = log2 ? (Axis)new LogarithmicAxis { Base = 2 } : new LinearAxis { MinimumPadding = 0.05, MaximumPadding = 0.05 };
        x.Position = AxisPosition.Bottom;
        x.Title = by;
        x.Unit = unit;
        x.MajorGridlineStyle = LineStyle.Solid;
        x.MajorGridlineColor = OxyColor.FromRgb(232, 232, 232);
        model.Axes.Add(x);
        model.Axes.Add(ChartStyle.Axis(AxisPosition.Left, "requests meeting the SLO", "%", minimum: 0, maximum: 100));
        var met = new ScatterSeries { Title = "probe met the target", MarkerType = MarkerType.Circle, MarkerSize = 5, MarkerFill = ChartStyle.Good };
        var failed = new ScatterSeries { Title = "probe missed it", MarkerType = MarkerType.Cross, MarkerSize = 6, MarkerStroke = ChartStyle.Bad, MarkerStrokeThickness = 2 };
        var order = new LineSeries { Color = OxyColor.FromAColor(90, ChartStyle.Reference), StrokeThickness = 1, RenderInLegend = false };
        var text = new StringBuilder($"SLO attainment of each capacity probe by {by}: ");
        foreach (var probe in probes)
        {
            var point = new ScatterPoint(probe.Number("load")!.Value, probe.Number("attainment")!.Value * 100);
            (probe.Flag("met") == true ? met : failed).Points.Add(point);
            order.Points.Add(new DataPoint(point.X, point.Y));
            text.Append(CultureInfo.InvariantCulture, $"{Figures.Number(point.X)}: {Figures.Number(point.Y)}%{(probe.Text("stopReason") is { } why ? $" ({why})" : string.Empty)}; ");
        }

        model.Series.Add(order);
        model.Series.Add(met);
        model.Series.Add(failed);
        if (Slo.Target(report) is { } target)
        {
            model.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Horizontal, Y = target * 100, Color = ChartStyle.Objective, LineStyle = LineStyle.Dash, Text = $"target {Figures.Percent(target)}", TextColor = ChartStyle.Objective });
            text.Append(CultureInfo.InvariantCulture, $"target {Figures.Percent(target)}; ");
        }

        if (capacity.Number("max") is { } max)
        {
            model.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Vertical, X = max, Color = ChartStyle.Good, StrokeThickness = 2, Text = $"capacity {Figures.Number(max)}", TextColor = ChartStyle.Good, TextLinePosition = 0.5 });
            text.Append(CultureInfo.InvariantCulture, $"capacity {Figures.Number(max)} {unit}");
        }
        else
        {
            text.Append("no probe met the target: no capacity");
        }

        if (capacity.Number("firstFailing") is { } first)
        {
            model.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Vertical, X = first, Color = ChartStyle.Bad, LineStyle = LineStyle.Dash, Text = $"first failing {Figures.Number(first)}", TextColor = ChartStyle.Bad, TextVerticalAlignment = VerticalAlignment.Bottom });
            text.Append(CultureInfo.InvariantCulture, $", first failing {Figures.Number(first)}");
        }

        return charts.Render(model, "capacity", text.ToString().TrimEnd(' ', ';') + ".", "Probes in the order the search ran them are joined by the thin line; the capacity is the highest load that met the attainment target.");
    }

    /// <summary>The stage that measured the capacity found, with the capacity in words.</summary>
    private static (StageView? Stage, string Words)? CapacityStage(ReportDocument report)
    {
        var capacity = ((System.Text.Json.JsonElement?)report.Root).Get("capacity");
        if (capacity.Number("max") is not { } max)
        {
            return null;
        }

        var words = capacity.Text("by") == "rate" ? $"rate {Figures.Number(max)}/s" : $"{Figures.Number(max)} streams";
        var stage = report.Stages.LastOrDefault(s => s.Load is { } load && Math.Abs(load - max) <= 1e-9 * Math.Max(1, max));
        return (stage, words);
    }
}
