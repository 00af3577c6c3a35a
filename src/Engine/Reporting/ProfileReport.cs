namespace GuidellmFunctions.Engine.Reporting;

/// <summary>The load a stage applied.</summary>
/// <param name="Kind">Profile of this stage (a sweep's stages are synchronous, throughput and constant).</param>
/// <param name="Rate">Target rate (requests/s) for constant and poisson; null otherwise.</param>
/// <param name="Streams">Parallel streams for synchronous, concurrent and throughput; null otherwise.</param>
/// <param name="MaxConcurrency">Cap on requests in flight, when set.</param>
/// <param name="MaxSeconds">Stage time limit.</param>
/// <param name="MaxRequests">Stage request limit.</param>
/// <param name="WarmupSeconds">Excluded start.</param>
/// <param name="CooldownSeconds">Excluded end.</param>
public sealed record ProfileReport(string Kind, double? Rate, int? Streams, int? MaxConcurrency, double? MaxSeconds, int? MaxRequests, double WarmupSeconds, double CooldownSeconds);
