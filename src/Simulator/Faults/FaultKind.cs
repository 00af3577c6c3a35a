namespace GuidellmFunctions.Simulator.Faults;

/// <summary>Faults the simulator can inject, each with a per-request probability.</summary>
public enum FaultKind
{
    /// <summary>Answer with an HTTP error status (and a JSON error body); 429 and 503 carry Retry-After.</summary>
    HttpStatus,

    /// <summary>Abort the connection halfway through the stream.</summary>
    Disconnect,

    /// <summary>Stop sending halfway through the stream for the stall time.</summary>
    Stall,

    /// <summary>Send an <c>{"error": ...}</c> object inside the 200 stream halfway through, then <c>[DONE]</c>.</summary>
    ErrorObject,

    /// <summary>End the stream halfway without finish_reason or <c>[DONE]</c>.</summary>
    NoDone,

    /// <summary>Hold the response headers for the stall time.</summary>
    SlowHeaders,
}
