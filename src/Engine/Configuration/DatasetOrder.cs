namespace GuidellmFunctions.Engine.Configuration;

/// <summary>The order a dataset's records are sent in.</summary>
public enum DatasetOrder
{
    /// <summary>File order, from the first record.</summary>
    Sequential,

    /// <summary>A permutation drawn from the target's <c>seed</c> (a new one each time the dataset is used up).</summary>
    Shuffle,
}
