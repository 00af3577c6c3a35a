namespace GuidellmFunctions.Engine.Export;

/// <summary>One series: its labels (sorted by name, <c>__name__</c> included) and samples in time order.</summary>
/// <param name="Labels">Name/value pairs, sorted by name, unique, non-empty.</param>
/// <param name="Samples">Timestamp (ms since the Unix epoch) and value, timestamps strictly increasing.</param>
internal sealed record SeriesData(IReadOnlyList<KeyValuePair<string, string>> Labels, IReadOnlyList<(long TimestampMs, double Value)> Samples)
{
    /// <summary>Native histogram samples (a native histogram series has these instead of <see cref="Samples"/>), timestamps strictly increasing.</summary>
    public IReadOnlyList<(long TimestampMs, NativeHistogramSample Histogram)> Histograms { get; init; } = [];

    /// <summary>The metric name.</summary>
    public string Name => Labels.First(l => l.Key == "__name__").Value;

    /// <summary>Samples of either kind.</summary>
    public int SampleCount => Samples.Count + Histograms.Count;

    /// <summary>A native histogram series of one sample.</summary>
    public static SeriesData Native(IReadOnlyList<KeyValuePair<string, string>> labels, long timestampMs, NativeHistogramSample histogram) =>
        new(labels, []) { Histograms = [(timestampMs, histogram)] };
}
