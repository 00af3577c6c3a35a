namespace GuidellmFunctions.Engine.Export;

/// <summary>One series: its labels (sorted by name, <c>__name__</c> included) and samples in time order.</summary>
/// <param name="Labels">Name/value pairs, sorted by name, unique, non-empty.</param>
/// <param name="Samples">Timestamp (ms since the Unix epoch) and value, timestamps strictly increasing.</param>
public sealed record SeriesData(IReadOnlyList<KeyValuePair<string, string>> Labels, IReadOnlyList<(long TimestampMs, double Value)> Samples)
{
    /// <summary>The metric name.</summary>
    public string Name => Labels.First(l => l.Key == "__name__").Value;
}
