using System.Globalization;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>How the page writes numbers: invariant culture, three significant figures for measurements.</summary>
internal static class Figures
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A measurement: three significant figures, whole numbers above 1000 with thousands separators.</summary>
    public static string Number(double value)
    {
        if (!double.IsFinite(value))
        {
            return "–";
        }

        var magnitude = Math.Abs(value);
        return magnitude switch
        {
            0 => "0",
            >= 1000 => value.ToString("#,0", Invariant),
            >= 100 => value.ToString("0", Invariant),
            >= 10 => value.ToString("0.#", Invariant),
            >= 1 => value.ToString("0.##", Invariant),
            >= 0.01 => value.ToString("0.###", Invariant),
            _ => value.ToString("0.###E0", Invariant),
        };
    }

    public static string Number(double? value) => value is { } v ? Number(v) : "–";

    public static string Count(long value) => value.ToString("#,0", Invariant);

    public static string Count(long? value) => value is { } v ? Count(v) : "–";

    /// <summary>A share given as a fraction (0.973 → 97.3%).</summary>
    public static string Percent(double? fraction) => fraction is { } f && double.IsFinite(f) ? (f * 100).ToString(f is > 0.999 and < 1 ? "0.##" : "0.#", Invariant) + "%" : "–";

    /// <summary>A relative change given as a fraction (+0.052 → +5.2%).</summary>
    public static string Change(double? fraction) => fraction is { } f && double.IsFinite(f) ? (f >= 0 ? "+" : "−") + Math.Abs(f * 100).ToString("0.#", Invariant) + "%" : "–";

    public static string Seconds(double seconds) => seconds >= 120 ? $"{Math.Floor(seconds / 60).ToString(Invariant)} min {Number(seconds % 60)} s" : $"{Number(seconds)} s";

    public static string Time(DateTimeOffset? time) => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Invariant) : "–";

    /// <summary>A chart coordinate for SVG text alternatives.</summary>
    public static string Ms(double? value) => value is { } v ? Number(v) + " ms" : "–";
}
