namespace GuidellmFunctions.Engine.Reporting;

/// <summary>One probe of a capacity search: a stage at one load.</summary>
/// <param name="Load">Streams or requests per second.</param>
/// <param name="Attainment">The stage's SLO attainment; null when no request was evaluated.</param>
/// <param name="Met">True when the attainment reached the target and the probe was not stopped for over-saturation or errors.</param>
/// <param name="StopReason">What ended the stage (<c>max_seconds</c>, <c>max_requests</c>, <c>max_errors</c>, <c>over_saturation</c>, <c>cancelled</c>).</param>
/// <param name="Stage">Index of the probe's stage in <c>benchmarks[]</c>.</param>
/// <param name="StopDetail">Why the probe was stopped early, in words; null when it ran its course.</param>
public sealed record CapacityProbe(double Load, double? Attainment, bool Met, string StopReason, int Stage, string? StopDetail = null);
