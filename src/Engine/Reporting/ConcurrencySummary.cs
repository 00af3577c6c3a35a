namespace GuidellmFunctions.Engine.Reporting;

/// <summary>Requests in flight over the measured window.</summary>
/// <param name="Mean">Time-weighted mean.</param>
/// <param name="Max">Maximum.</param>
public sealed record ConcurrencySummary(double Mean, int Max);
