namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Where a dataset request's <c>max_tokens</c> comes from.</summary>
public enum DatasetOutputLengths
{
    /// <summary>The record's own length (its reference answer, an output column or field); <c>data_spec</c> where it has none.</summary>
    Dataset,

    /// <summary>Always <c>data_spec</c>'s <c>output_tokens</c>.</summary>
    DataSpec,
}
