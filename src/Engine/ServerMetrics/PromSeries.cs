using GuidellmFunctions.Engine.ServerMetrics.Exposition;

namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>One series of a Prometheus query result: its labels (the name under <c>__name__</c>) and samples, oldest first.</summary>
/// <param name="Labels">Every label, <c>__name__</c> included.</param>
/// <param name="Samples">(time, value) pairs.</param>
internal sealed record PromSeries(IReadOnlyList<KeyValuePair<string, string>> Labels, IReadOnlyList<(DateTimeOffset At, double Value)> Samples)
{
    /// <summary>The series' name, or empty.</summary>
    public string Name => Labels.FirstOrDefault(l => l.Key == "__name__").Value ?? string.Empty;

    /// <summary>The sample of this series at <paramref name="index"/> as an exposition sample (name and labels apart).</summary>
    public ExpositionSample Sample(int index) => new(Name, [.. Labels.Where(l => l.Key != "__name__")], Samples[index].Value);
}
