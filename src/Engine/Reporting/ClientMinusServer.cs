namespace GuidellmFunctions.Engine.Reporting;

/// <summary>
/// Client-measured latency minus the server's own (<c>benchmarks[].clientMinusServer</c>): what the network, ingress and
/// HTTP server add to what the engine sees, in milliseconds.
/// </summary>
/// <param name="TtftMs">Time to first token.</param>
/// <param name="E2eLatencyMs">End-to-end latency.</param>
public sealed record ClientMinusServer(LatencyDifference? TtftMs, LatencyDifference? E2eLatencyMs);
