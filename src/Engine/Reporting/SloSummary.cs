using GuidellmFunctions.Engine.Slo;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>A stage against its SLO (<c>summary.slo</c>; docs/metrics.md defines each figure).</summary>
/// <param name="Objectives">The objectives and the attainment target.</param>
/// <param name="Evaluated">Requests of the measured window held to the objectives: successful and failed, not incomplete.</param>
/// <param name="Conforming">Successful requests within every objective.</param>
/// <param name="Attainment">Conforming / evaluated; null when none was evaluated.</param>
/// <param name="RequestGoodput">Conforming requests per second of the measured window.</param>
/// <param name="TokenGoodput">Output tokens of conforming requests per second of the measured window.</param>
/// <param name="Met">True when <paramref name="Attainment"/> reaches the target.</param>
public sealed record SloSummary(SloObjectives Objectives, long Evaluated, long Conforming, double? Attainment, double RequestGoodput, double TokenGoodput, bool Met);
