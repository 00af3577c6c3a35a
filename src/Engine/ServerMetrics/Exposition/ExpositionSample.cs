namespace GuidellmFunctions.Engine.ServerMetrics.Exposition;

/// <summary>One sample line of a Prometheus text exposition: the sample's name (with any <c>_total</c>, <c>_bucket</c> suffix), its labels in the order written, its value.</summary>
/// <param name="Name">The sample name as written (<c>vllm:time_to_first_token_seconds_bucket</c>).</param>
/// <param name="Labels">Label pairs, values unescaped.</param>
/// <param name="Value">The value (<c>+Inf</c>, <c>-Inf</c> and <c>NaN</c> included).</param>
internal sealed record ExpositionSample(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, double Value)
{
    /// <summary>The value of label <paramref name="name"/>, or null when the sample has none.</summary>
    public string? Label(string name)
    {
        foreach (var (key, value) in Labels)
        {
            if (string.Equals(key, name, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }
}
