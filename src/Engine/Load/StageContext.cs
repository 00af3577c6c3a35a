using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Load;

/// <summary>What observers know about a running stage.</summary>
/// <param name="RunId">Run id.</param>
/// <param name="Target">The target and its settings.</param>
/// <param name="Plan">The stage.</param>
/// <param name="StartTimestamp">Stage start (<see cref="TimeProvider.GetTimestamp"/>).</param>
/// <param name="InFlight">Requests in flight now.</param>
public sealed record StageContext(string RunId, ResolvedTarget Target, StagePlan Plan, long StartTimestamp, Func<int> InFlight);
