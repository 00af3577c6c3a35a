namespace GuidellmFunctions.Engine.Configuration;

/// <summary>The written names of a dataset's format, order and output lengths.</summary>
internal static class DatasetNames
{
    /// <summary>Formats.</summary>
    public static EnumNames<DatasetFormat> Formats { get; } = new(
        (DatasetFormat.Auto, "auto", []),
        (DatasetFormat.ShareGpt, "sharegpt", []),
        (DatasetFormat.OpenAi, "openai", ["chat"]),
        (DatasetFormat.Plain, "plain", ["prompt"]),
        (DatasetFormat.Csv, "csv", []),
        (DatasetFormat.Mooncake, "mooncake", []),
        (DatasetFormat.AzureTrace, "azure_trace", ["azure"]));

    /// <summary>Orders.</summary>
    public static EnumNames<DatasetOrder> Orders { get; } = new(
        (DatasetOrder.Sequential, "sequential", []),
        (DatasetOrder.Shuffle, "shuffle", ["random"]));

    /// <summary>Output length sources.</summary>
    public static EnumNames<DatasetOutputLengths> OutputLengths { get; } = new(
        (DatasetOutputLengths.Dataset, "dataset", []),
        (DatasetOutputLengths.DataSpec, "data_spec", []));
}
