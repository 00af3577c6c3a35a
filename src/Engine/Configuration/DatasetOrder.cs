namespace GuidellmFunctions.Engine.Configuration;

/// <summary>The order a dataset's records are sent in.</summary>
public enum DatasetOrder
{
    /// <summary>File order, from the first record.</summary>
    Sequential,

    /// <summary>Every record once, in an order drawn from the target's <c>seed</c>: the file's blocks in a random order, the records of 4 MiB of them mixed (a new order each time the dataset is used up).</summary>
    Shuffle,
}
