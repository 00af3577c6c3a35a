namespace GuidellmFunctions.Simulator.Scheduling;

/// <summary>Where a request is in the engine.</summary>
internal enum RequestState
{
    /// <summary>In the waiting queue: new, or preempted and to be recomputed.</summary>
    Waiting,

    /// <summary>In the running batch: before its prefill, prefilling, or decoding.</summary>
    Running,

    /// <summary>Generated every token.</summary>
    Finished,

    /// <summary>Left before the end (the client went away, or the server stopped).</summary>
    Aborted,
}
