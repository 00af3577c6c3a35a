using GuidellmFunctions.Engine.Client;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// A rule that may end a stage early from the results it sees. A stage asks each of its conditions about every finished
/// request; the first to answer a reason stops the stage with that <c>stopReason</c>. Called concurrently.
/// </summary>
internal interface IStageStopCondition
{
    /// <summary>Looks at one finished request; returns the stop (reason and detail) when the stage should end, else null.</summary>
    StageStop? Observe(RequestResult result);
}

/// <summary>Why a stop condition ended a stage.</summary>
/// <param name="Reason">The stage's <c>stopReason</c>.</param>
/// <param name="Detail">What was seen, for the run's status reason (secrets already masked).</param>
internal sealed record StageStop(string Reason, string Detail);
