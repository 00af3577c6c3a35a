namespace GuidellmFunctions.Engine.Export;

/// <summary>What became of one remote_write request.</summary>
internal enum DeliveryOutcome
{
    /// <summary>The receiver accepted it (2xx).</summary>
    Delivered,

    /// <summary>The receiver refused it for good (4xx other than 429); retrying cannot help.</summary>
    Rejected,

    /// <summary>Still failing after the retry budget (5xx, 429, network, timeout); worth spooling and retrying later.</summary>
    Undeliverable,
}
