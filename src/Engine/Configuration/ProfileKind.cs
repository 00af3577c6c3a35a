namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Load profiles, with guidellm's semantics.</summary>
public enum ProfileKind
{
    /// <summary>One request at a time, back to back.</summary>
    Synchronous,

    /// <summary><c>rate</c> parallel streams, each sending back to back (closed loop).</summary>
    Concurrent,

    /// <summary>As many requests as <c>max_concurrency</c> allows, to find the maximum throughput.</summary>
    Throughput,

    /// <summary>Open loop: request i is sent at start + i / rate, whatever the responses do.</summary>
    Constant,

    /// <summary>Open loop with exponential inter-arrival times of mean 1 / rate (seeded).</summary>
    Poisson,

    /// <summary>Synchronous, then throughput, then constant rates spaced between the two measured rates.</summary>
    Sweep,

    /// <summary>Open loop at the timestamps of a trace dataset (Mooncake, Azure), scaled by its <c>time_scale</c>.</summary>
    Replay,

    /// <summary>Searches the highest load (streams or rate, <c>capacity_by</c>) whose stage meets the SLO's attainment.</summary>
    Capacity,
}
