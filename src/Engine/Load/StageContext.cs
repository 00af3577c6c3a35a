using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Load;

/// <summary>What observers know about a running stage.</summary>
/// <param name="RunId">Run id.</param>
/// <param name="Target">The target and its settings.</param>
/// <param name="Plan">The stage.</param>
/// <param name="StartTimestamp">Stage start (<see cref="TimeProvider.GetTimestamp"/>).</param>
/// <param name="InFlight">Requests in flight now.</param>
/// <param name="StopEarly">
/// Ends the stage before its limits, as <c>max_errors</c> does: the stop reason (for example <c>over_saturation</c>) and why, in
/// words, go into the stage's report. The first call wins; null where the stage cannot be stopped.
/// </param>
public sealed record StageContext(string RunId, ResolvedTarget Target, StagePlan Plan, long StartTimestamp, Func<int> InFlight, Action<string, string>? StopEarly = null);
