using System.Text;
using GuidellmFunctions.Engine.Metrics;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Series;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>
/// Cumulative distributions of a latency, one curve per stage (a baseline's dashed beside), drawn from the report's
/// histograms (the buckets the percentiles come from) or, in reports without them, through the percentiles alone.
/// p50, p95 and p99 are marked at the report's own values.
/// </summary>
internal static class DistributionCharts
{
    private const int Steps = 300;
    private static readonly double[] Marked = [50, 95, 99];

    public static Figure? Cdf(SvgCharts charts, string key, string name, string longName, IReadOnlyList<StageView> stages, IReadOnlyList<StageView>? baseline)
    {
        var current = stages.Where(s => s.Stat(key) is { HasData: true }).ToList();
        var before = (baseline ?? []).Where(s => s.Stat(key) is { HasData: true }).ToList();
        if (current.Count == 0 && before.Count == 0)
        {
            return null;
        }

        var all = current.Select(s => s.Stat(key)!).Concat(before.Select(s => s.Stat(key)!)).ToList();
        var low = all.Select(Low).Where(v => v > 0).DefaultIfEmpty(0.001).Min();
        var high = all.Select(s => s.Max ?? s.P999 ?? s.P99 ?? 0).DefaultIfEmpty(1).Max();
        var log = ChartStyle.WantsLog(low, high);
        var unitWord = key == "itlMs" ? "gaps" : "requests";
        var model = ChartStyle.Model($"{name} distribution", longName);
        var axis = ChartStyle.Axis(AxisPosition.Bottom, name, "ms", log);
        if (log && all.Any(s => (s.Min ?? low) < low))
        {
            axis.Minimum = low / 1.5;
        }

        model.Axes.Add(axis);
        model.Axes.Add(ChartStyle.Axis(AxisPosition.Left, $"{unitWord} at or below", "%", minimum: 0, maximum: 100));
        foreach (var p in Marked)
        {
            model.Annotations.Add(new LineAnnotation
            {
                Type = LineAnnotationType.Horizontal,
                Y = p,
                Color = ChartStyle.Reference,
                LineStyle = LineStyle.Dot,
                Text = $"p{p}",
                TextHorizontalAlignment = HorizontalAlignment.Left,
                TextLinePosition = 0,
                TextColor = ChartStyle.Reference,
                FontSize = 10,
            });
        }

        var text = new StringBuilder($"Cumulative distribution of {longName} ({name}), in milliseconds, with p50, p95 and p99 marked. ");
        var approximate = false;
        var count = Math.Max(current.Count, before.Count);
        for (var i = 0; i < before.Count; i++)
        {
            approximate |= Add(model, before[i], key, ChartStyle.Color(Position(before, before[i]), count), baseline: true, label: false, log, low, high);
            text.Append(Describe("baseline " + before[i].Label, before[i].Stat(key)!));
        }

        for (var i = 0; i < current.Count; i++)
        {
            var labelled = current.Count == 1;
            approximate |= Add(model, current[i], key, ChartStyle.Color(Position(current, current[i]), count), baseline: false, labelled, log, low, high);
            text.Append(Describe(current[i].Label, current[i].Stat(key)!));
        }

        var caption = approximate
            ? "Curves marked “percentiles only” come from a report without histograms: straight lines through min, p50, p90, p95, p99, p99.9 and max."
            : "From each stage's histogram (the buckets its percentiles come from); dots mark the report's p50, p95 and p99.";
        return charts.Render(model, "distribution-" + key, text.ToString().TrimEnd(), caption);
    }

    private static int Position(List<StageView> stages, StageView stage) => stages.IndexOf(stage);

    /// <summary>
    /// Where the axis starts: the value at the first percentile, and no lower than a twentieth of the median, so a few
    /// extreme values (gaps of 0 µs between chunks read together) do not stretch a log axis over decades nobody reads;
    /// the curve then enters from the left edge at the share below it.
    /// </summary>
    private static double Low(Stat stat) => Math.Max(FirstPercentile(stat), (stat.P50 ?? 0) / 20);

    private static double FirstPercentile(Stat stat)
    {
        if (stat.Histogram is not { } h || h.Total == 0)
        {
            return stat.Min is > 0 ? stat.Min.Value : stat.P50 ?? 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(h.Total * 0.01));
        long seen = 0;
        foreach (var (index, count) in h.Buckets())
        {
            seen += count;
            if (seen >= rank)
            {
                return LogLinearHistogram.BucketHigh(index) / 1000.0;
            }
        }

        return stat.Min ?? 0;
    }

    private static string Describe(string label, Stat stat) =>
        $"{label}: {Figures.Count(stat.Count)} values, p50 {Figures.Ms(stat.P50)}, p95 {Figures.Ms(stat.P95)}, p99 {Figures.Ms(stat.P99)}, max {Figures.Ms(stat.Max)}. ";

    private static bool Add(PlotModel model, StageView stage, string key, OxyColor color, bool baseline, bool label, bool log, double low, double high)
    {
        var stat = stage.Stat(key)!;
        var fromHistogram = stat.Histogram is { } h && h.Total > 0;
        var title = (baseline ? "baseline " : string.Empty) + stage.Label + (fromHistogram ? string.Empty : " (percentiles only)");
        var line = new LineSeries
        {
            Title = title,
            Color = baseline ? OxyColor.FromAColor(170, color) : color,
            StrokeThickness = baseline ? 1.6 : 2,
            LineStyle = baseline ? LineStyle.Dash : fromHistogram ? LineStyle.Solid : LineStyle.LongDashDot,
        };
        line.Points.AddRange(fromHistogram ? FromHistogram(stat.Histogram!, log, low, high) : FromPercentiles(stat));
        model.Series.Add(line);

        var marks = new ScatterSeries
        {
            MarkerType = baseline ? MarkerType.Square : MarkerType.Circle,
            MarkerSize = 3.5,
            MarkerFill = line.Color,
            RenderInLegend = false,
        };
        foreach (var p in Marked)
        {
            if (stat.Percentile(p) is { } x && x > 0)
            {
                marks.Points.Add(new ScatterPoint(x, p));
                if (label)
                {
                    double Scale(double v) => log ? Math.Log10(Math.Max(v, 1e-6)) : v;
                    var right = Scale(x) - Scale(low) > 0.6 * (Scale(high) - Scale(low));
                    model.Annotations.Add(new TextAnnotation
                    {
                        Text = $"p{p} {Figures.Number(x)} ms",
                        TextPosition = new DataPoint(x, p),
                        TextHorizontalAlignment = right ? HorizontalAlignment.Right : HorizontalAlignment.Left,
                        TextVerticalAlignment = VerticalAlignment.Top,
                        Offset = new ScreenVector(right ? -6 : 6, 2),
                        Stroke = OxyColors.Transparent,
                        Background = OxyColor.FromAColor(200, OxyColors.White),
                        FontSize = 10,
                        TextColor = line.Color,
                    });
                }
            }
        }

        model.Series.Add(marks);
        return !fromHistogram;
    }

    /// <summary>The share at or below each bucket's upper bound, thinned to about <see cref="Steps"/> steps along each axis.</summary>
    internal static IEnumerable<DataPoint> FromHistogram(HistogramSnapshot histogram, bool log, double low, double high)
    {
        var total = (double)histogram.Total;
        double Scale(double x) => log ? Math.Log10(Math.Max(x, 1e-6)) : x;
        var xStep = (Scale(high) - Scale(low)) / Steps;
        var yStep = 100.0 / Steps;
        long seen = 0;
        DataPoint? last = null;
        DataPoint? pending = null;
        foreach (var (index, count) in histogram.Buckets())
        {
            if (count == 0)
            {
                continue;
            }

            if (last is null)
            {
                last = new DataPoint(Math.Max(LogLinearHistogram.BucketLow(index), log ? LogLinearHistogram.BucketHigh(index) / 2 : 0) / 1000.0, 0);
                yield return last.Value;
            }

            seen += count;
            var point = new DataPoint(LogLinearHistogram.BucketHigh(index) / 1000.0, seen / total * 100);
            if (Scale(point.X) - Scale(last.Value.X) >= xStep || point.Y - last.Value.Y >= yStep || seen == histogram.Total)
            {
                yield return point;
                last = point;
                pending = null;
            }
            else
            {
                pending = point;
            }
        }

        if (pending is { } end)
        {
            yield return end;
        }
    }

    private static IEnumerable<DataPoint> FromPercentiles(Stat stat)
    {
        (double? X, double Y)[] known = [(stat.Min, 0), (stat.P50, 50), (stat.P90, 90), (stat.P95, 95), (stat.P99, 99), (stat.P999, 99.9), (stat.Max, 100)];
        var lastX = double.NegativeInfinity;
        foreach (var (x, y) in known)
        {
            if (x is { } v && v >= lastX && v > 0)
            {
                lastX = v;
                yield return new DataPoint(v, y);
            }
        }
    }
}
