namespace GuidellmFunctions.Engine.Reporting;

/// <summary>Request counts of a stage's measured window.</summary>
/// <param name="Total">Requests sent in the window (successful + failed + incomplete).</param>
/// <param name="Successful">Ended cleanly with HTTP 2xx.</param>
/// <param name="Failed">Ended with a failure reason.</param>
/// <param name="Incomplete">Cancelled in flight when the stage ended.</param>
/// <param name="ExcludedWarmup">Sent during warmup, not counted above.</param>
/// <param name="ExcludedCooldown">Completed during cooldown, not counted above.</param>
public sealed record RequestCounts(long Total, long Successful, long Failed, long Incomplete, long ExcludedWarmup = 0, long ExcludedCooldown = 0);
