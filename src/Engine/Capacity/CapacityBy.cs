namespace GuidellmFunctions.Engine.Capacity;

/// <summary>What a capacity search varies (<c>capacity_by</c>).</summary>
public enum CapacityBy
{
    /// <summary>Streams sending back to back (closed loop, as the concurrent profile).</summary>
    Concurrency,

    /// <summary>Requests per second at constant intervals (open loop, as the constant profile).</summary>
    Rate,
}
