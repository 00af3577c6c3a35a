using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>The look shared by the page's charts: colours safe for colour-blind readers, titled axes with units.</summary>
internal static class ChartStyle
{
    // Okabe & Ito's palette (without its yellow, too pale on white): told apart with every common colour blindness.
    private static readonly OxyColor[] Distinct =
    [
        OxyColor.FromRgb(0, 114, 178),
        OxyColor.FromRgb(230, 159, 0),
        OxyColor.FromRgb(0, 158, 115),
        OxyColor.FromRgb(213, 94, 0),
        OxyColor.FromRgb(204, 121, 167),
        OxyColor.FromRgb(86, 180, 233),
        OxyColor.FromRgb(0, 0, 0),
    ];

    // Viridis from its dark end to before its pale yellow: an order (a sweep's rising load) read as an order.
    private static readonly OxyColor[] Sequential =
    [
        OxyColor.FromRgb(68, 1, 84),
        OxyColor.FromRgb(72, 40, 120),
        OxyColor.FromRgb(62, 74, 137),
        OxyColor.FromRgb(49, 104, 142),
        OxyColor.FromRgb(38, 130, 142),
        OxyColor.FromRgb(31, 158, 137),
        OxyColor.FromRgb(53, 183, 121),
        OxyColor.FromRgb(109, 205, 89),
        OxyColor.FromRgb(170, 220, 50),
    ];

    public static readonly OxyColor Good = OxyColor.FromRgb(0, 158, 115);
    public static readonly OxyColor Bad = OxyColor.FromRgb(213, 94, 0);
    public static readonly OxyColor Reference = OxyColor.FromRgb(120, 120, 120);
    public static readonly OxyColor Objective = OxyColor.FromRgb(204, 0, 0);

    /// <summary>The colour of series <paramref name="i"/> of <paramref name="count"/>.</summary>
    public static OxyColor Color(int i, int count)
    {
        if (count <= Distinct.Length)
        {
            return Distinct[i % Distinct.Length];
        }

        var x = count == 1 ? 0 : i * (Sequential.Length - 1.0) / (count - 1);
        var lo = (int)Math.Floor(x);
        var hi = Math.Min(Sequential.Length - 1, lo + 1);
        return OxyColor.Interpolate(Sequential[lo], Sequential[hi], x - lo);
    }

    /// <summary>A fixed colour per failure reason, so a reason looks the same on every page.</summary>
    public static OxyColor Reason(string reason) => reason switch
    {
        "http_5xx" => Distinct[3],
        "http_429" => Distinct[1],
        "http_4xx" => Distinct[4],
        "timeout" => Distinct[0],
        "connection" => Distinct[6],
        "stream_error" => Distinct[2],
        "protocol" => Distinct[5],
        _ => Reference,
    };

    public static PlotModel Model(string title, string? subtitle = null, LegendPosition legend = LegendPosition.RightBottom)
    {
        var model = new PlotModel
        {
            Title = title,
            Subtitle = subtitle,
            DefaultFont = "sans-serif",
            DefaultFontSize = 12,
            TitleFontSize = 15,
            SubtitleFontSize = 11,
            TitleFontWeight = FontWeights.Bold,
            PlotAreaBorderColor = OxyColor.FromRgb(180, 180, 180),
            TextColor = OxyColor.FromRgb(34, 34, 34),
            Padding = new OxyThickness(8, 8, 16, 8),
        };
        // Legends above the plot, in a row, where series fill the plot area (time series, curves against load); inside a
        // corner where the plot leaves one empty (a cumulative distribution's lower right).
        var above = legend == LegendPosition.TopCenter;
        model.Legends.Add(new Legend
        {
            LegendPosition = legend,
            LegendPlacement = above ? LegendPlacement.Outside : LegendPlacement.Inside,
            LegendOrientation = above ? LegendOrientation.Horizontal : LegendOrientation.Vertical,
            LegendBorderThickness = above ? 0 : 1,
            LegendBackground = OxyColor.FromAColor(220, OxyColors.White),
            LegendBorder = OxyColor.FromRgb(200, 200, 200),
            LegendFontSize = 11,
        });
        return model;
    }

    /// <summary>A value axis titled <paramref name="title"/> in <paramref name="unit"/>; logarithmic when <paramref name="log"/>.</summary>
    public static Axis Axis(AxisPosition position, string title, string unit, bool log = false, double? minimum = null, double? maximum = null)
    {
        Axis axis = log ? new LogarithmicAxis { Base = 10 } : new LinearAxis();
        axis.Position = position;
        axis.Title = title;
        axis.Unit = unit;
        axis.MajorGridlineStyle = LineStyle.Solid;
        axis.MajorGridlineColor = OxyColor.FromRgb(232, 232, 232);
        axis.MinorGridlineStyle = LineStyle.None;
        axis.TickStyle = TickStyle.Outside;
        axis.AxisTitleDistance = 10;
        if (minimum is { } min)
        {
            axis.Minimum = min;
        }

        if (maximum is { } max)
        {
            axis.Maximum = max;
        }

        if (!log)
        {
            axis.MinimumPadding = minimum is null ? 0.02 : 0;
            axis.MaximumPadding = 0.05;
        }

        return axis;
    }

    /// <summary>True when values from <paramref name="low"/> to <paramref name="high"/> read better on a log scale.</summary>
    public static bool WantsLog(double low, double high) => low > 0 && high / low > 30;
}
