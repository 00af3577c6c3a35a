using System.Text.Json;
using GuidellmFunctions.Engine.Metrics;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>
/// One statistic of a report (<c>summary.ttftMs</c>, a server's <c>ttftMs</c>, ...), read tolerantly: any figure may be
/// missing. <see cref="Histogram"/> is there from the reports that carry it.
/// </summary>
internal sealed record Stat(long? Count, double? Mean, double? Min, double? Max, double? P50, double? P90, double? P95, double? P99, double? P999)
{
    public HistogramSnapshot? Histogram { get; init; }

    /// <summary>Why the histogram present in the JSON could not be used; null when there is none or it is usable.</summary>
    public string? HistogramProblem { get; init; }

    /// <summary>True when the statistic has observations (a count above 0, or percentiles where no count is given).</summary>
    public bool HasData => Count is > 0 || (Count is null && P50 is not null);

    public double? Percentile(double p) => p switch
    {
        50 => P50,
        90 => P90,
        95 => P95,
        99 => P99,
        99.9 => P999,
        _ => null,
    };

    public static Stat? From(JsonElement? element)
    {
        if (element is not { ValueKind: JsonValueKind.Object })
        {
            return null;
        }

        var stat = new Stat(
            element.Integer("count"),
            element.Number("mean"),
            element.Number("min"),
            element.Number("max"),
            element.Number("p50"),
            element.Number("p90"),
            element.Number("p95"),
            element.Number("p99"),
            element.Number("p999"));
        if (element.Get("histogram") is not { } histogram)
        {
            return stat;
        }

        try
        {
            var snapshot = histogram.Deserialize(ReportJsonContext.Default.HistogramSnapshot) ?? throw new JsonException("null histogram");
            snapshot.Validate();
            return stat with { Histogram = snapshot };
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return stat with { HistogramProblem = ex.Message };
        }
    }
}
