namespace GuidellmFunctions.Engine.Export;

/// <summary>A metric family's name, type and help, sent as remote_write metadata and on <c>/metrics</c>.</summary>
/// <param name="Name">Family name.</param>
/// <param name="Type">Type.</param>
/// <param name="Help">Help text.</param>
/// <param name="Buckets">Upper bounds, for histograms.</param>
public sealed record MetricFamily(string Name, MetricKind Type, string Help, IReadOnlyList<double>? Buckets = null)
{
    /// <summary>The label a gauge's series differ by beyond the target's (<c>by</c>, <c>metric</c>); null for none.</summary>
    public string? Label { get; init; }
}
