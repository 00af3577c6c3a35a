using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>What happened during the run, from the per-request records: requests in flight, each request's TTFT, failures by reason.</summary>
internal static class TimelineCharts
{
    private const string TimeTitle = "time since the run started";

    public static Figure? InFlight(SvgCharts charts, ReportDocument report, ReportDocument? baseline)
    {
        var timeline = report.Timeline!;
        var model = ChartStyle.Model("Requests in flight", $"mean over each {Figures.Number(timeline.BinSeconds)} s", LegendPosition.TopCenter);
        model.Axes.Add(ChartStyle.Axis(AxisPosition.Bottom, TimeTitle, "s", minimum: 0));
        model.Axes.Add(ChartStyle.Axis(AxisPosition.Left, "requests in flight", "requests", minimum: 0));
        StageLines(model, report.Stages);
        if (baseline?.Timeline is { } before)
        {
            model.Series.Add(Steps(before.InFlight, before, "baseline", OxyColor.FromAColor(170, ChartStyle.Reference), LineStyle.Dash));
        }

        model.Series.Add(Steps(timeline.InFlight, timeline, baseline?.Timeline is null ? null : "this run", ChartStyle.Color(0, 1), LineStyle.Solid));
        var peak = timeline.InFlight.DefaultIfEmpty(0).Max();
        var text = $"Requests in flight over the run, averaged over {Figures.Number(timeline.BinSeconds)}-second bins: {Figures.Count(timeline.Records)} requests, at most {Figures.Number(peak)} in flight on average in a bin"
            + (report.Stages.Count > 1 ? $", over {report.Stages.Count} stages." : ".");
        return charts.Render(model, "timeline-inflight", text, "Every request counts from when it was sent to its end (warm-up and cool-down included); vertical lines are stage starts.");
    }

    public static Figure? Ttft(SvgCharts charts, ReportDocument report, ReportDocument? baseline)
    {
        var timeline = report.Timeline!;
        var points = timeline.TtftPoints().ToList();
        var model = ChartStyle.Model("TTFT of each request", timeline.Sampled ? $"a sample of {Figures.Count(points.Count)} of {Figures.Count(timeline.TtftCount)} requests, with each {Figures.Number(timeline.BinSeconds)} s bin's p50 and p99" : $"all {Figures.Count(timeline.TtftCount)} successful requests", LegendPosition.TopCenter);
        model.Axes.Add(ChartStyle.Axis(AxisPosition.Bottom, "sent at: " + TimeTitle, "s", minimum: 0));
        var low = points.Select(p => p.Ttft).Where(v => v > 0).DefaultIfEmpty(1).Min();
        var high = points.Select(p => p.Ttft).DefaultIfEmpty(1).Max();
        model.Axes.Add(ChartStyle.Axis(AxisPosition.Left, "TTFT", "ms", ChartStyle.WantsLog(low, high)));
        StageLines(model, report.Stages);
        var scatter = new ScatterSeries
        {
            Title = timeline.Sampled ? "sampled requests" : "requests",
            MarkerType = MarkerType.Circle,
            MarkerSize = 1.8,
            MarkerFill = OxyColor.FromAColor(140, ChartStyle.Color(0, 1)),
            MarkerStrokeThickness = 0,
        };
        scatter.Points.AddRange(points.Select(p => new ScatterPoint(p.T, p.Ttft)));
        model.Series.Add(scatter);
        if (timeline.Sampled)
        {
            model.Series.Add(Steps(timeline.TtftPercentile(50), timeline, "p50 per bin", ChartStyle.Color(2, 7), LineStyle.Solid));
            model.Series.Add(Steps(timeline.TtftPercentile(99), timeline, "p99 per bin", ChartStyle.Color(3, 7), LineStyle.Solid));
        }

        if (baseline?.Timeline is { TtftCount: > 0 } before)
        {
            model.Series.Add(Steps(before.TtftPercentile(50), before, "baseline p50 per bin", OxyColor.FromAColor(170, ChartStyle.Reference), LineStyle.Dash));
        }

        if (points.Count == 0)
        {
            model.Axes[1].Minimum = 0;
            model.Axes[1].Maximum = 1;
            model.Axes[0].Maximum = Math.Max(timeline.BinSeconds, timeline.Bins * timeline.BinSeconds);
            model.Annotations.Add(Note("no successful request: no TTFT to show", model.Axes[0].Maximum / 2, 0.5));
        }

        var p50 = timeline.TtftPercentile(50).Where(double.IsFinite).DefaultIfEmpty(double.NaN);
        var text = points.Count == 0
            ? "No request succeeded, so no TTFT was measured."
            : $"TTFT of {(timeline.Sampled ? $"a sample of {points.Count} of " : string.Empty)}{Figures.Count(timeline.TtftCount)} successful requests by the time each was sent: from {Figures.Ms(low)} to {Figures.Ms(high)}; the bins' median TTFT ranges from {Figures.Ms(p50.Min())} to {Figures.Ms(p50.Max())}.";
        return charts.Render(model, "timeline-ttft", text, timeline.Sampled
            ? "With many requests the dots are a uniform random sample (dense where requests were); the p50 and p99 lines are read from every request of each bin (within 1%)."
            : "One dot per successful request, at the moment it was sent.");
    }

    public static Figure? Failures(SvgCharts charts, ReportDocument report)
    {
        var timeline = report.Timeline!;
        var failures = timeline.Failures;
        var model = ChartStyle.Model("Failures by reason", $"failed requests per {Figures.Number(timeline.BinSeconds)} s, by when they ended", LegendPosition.TopCenter);
        model.Axes.Add(ChartStyle.Axis(AxisPosition.Bottom, "ended at: " + TimeTitle, "s", minimum: 0, maximum: Math.Max(timeline.BinSeconds, timeline.Bins * timeline.BinSeconds)));
        model.Axes.Add(ChartStyle.Axis(AxisPosition.Left, "failed requests", $"per {Figures.Number(timeline.BinSeconds)} s", minimum: 0, maximum: failures.Count == 0 ? 1 : null));
        StageLines(model, report.Stages);
        var bottom = new double[timeline.Bins];
        foreach (var (reason, perBin) in failures)
        {
            var bars = new RectangleBarSeries { Title = $"{reason} ({Figures.Count(perBin.Sum())})", FillColor = ChartStyle.Reason(reason), StrokeThickness = 0 };
            for (var bin = 0; bin < timeline.Bins; bin++)
            {
                if (perBin[bin] > 0)
                {
                    bars.Items.Add(new RectangleBarItem(timeline.BinStart(bin), bottom[bin], timeline.BinStart(bin + 1), bottom[bin] + perBin[bin]));
                    bottom[bin] += perBin[bin];
                }
            }

            model.Series.Add(bars);
        }

        if (failures.Count == 0)
        {
            model.Annotations.Add(Note("no request failed", timeline.Bins * timeline.BinSeconds / 2, 0.5));
        }

        var text = failures.Count == 0
            ? $"No request failed among {Figures.Count(timeline.Records)}."
            : $"{Figures.Count(timeline.Failed)} failed requests of {Figures.Count(timeline.Records)}: " + string.Join(", ", failures.Select(f => $"{f.Reason} {Figures.Count(f.PerBin.Sum())}"))
              + $"; the first failure ended {Figures.Number(FirstBin(failures) * timeline.BinSeconds)} s after the start.";
        return charts.Render(model, "timeline-failures", text, "Stacked: each bar is the failures ending in that bin, coloured by reason (docs/metrics.md lists the reasons).");
    }

    private static int FirstBin(IReadOnlyList<(string Reason, long[] PerBin)> failures) =>
        failures.Select(f => Array.FindIndex(f.PerBin, c => c > 0)).Where(i => i >= 0).DefaultIfEmpty(0).Min();

    private static StairStepSeries Steps(double[] values, RequestTimeline timeline, string? title, OxyColor color, LineStyle style)
    {
        var series = new StairStepSeries { Title = title, Color = color, StrokeThickness = 1.6, LineStyle = style, VerticalStrokeThickness = 1.6, RenderInLegend = title is not null };
        for (var bin = 0; bin < values.Length; bin++)
        {
            series.Points.Add(double.IsFinite(values[bin]) ? new DataPoint(timeline.BinStart(bin), values[bin]) : DataPoint.Undefined);
        }

        if (values.Length > 0 && double.IsFinite(values[^1]))
        {
            series.Points.Add(new DataPoint(timeline.BinStart(values.Length), values[^1]));
        }

        return series;
    }

    private static void StageLines(PlotModel model, IReadOnlyList<StageView> stages)
    {
        if (stages.Count < 2)
        {
            return;
        }

        foreach (var stage in stages)
        {
            model.Annotations.Add(new LineAnnotation
            {
                Type = LineAnnotationType.Vertical,
                X = stage.OffsetSeconds,
                Color = ChartStyle.Reference,
                LineStyle = LineStyle.Dot,
                Text = stages.Count <= 6 ? stage.Label : stage.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                TextColor = ChartStyle.Reference,
                TextOrientation = AnnotationTextOrientation.Horizontal,
                TextHorizontalAlignment = HorizontalAlignment.Left,
                TextVerticalAlignment = VerticalAlignment.Top,
                FontSize = 10,
            });
        }
    }

    private static TextAnnotation Note(string text, double x, double y) => new()
    {
        Text = text,
        TextPosition = new DataPoint(x, y),
        Stroke = OxyColors.Transparent,
        FontSize = 13,
        TextColor = ChartStyle.Reference,
    };
}
