namespace GuidellmFunctions.Engine.Load;

/// <summary>A request source that also says when its requests arrive: a trace replayed at its own timestamps.</summary>
internal interface IArrivalSource
{
    /// <summary>The arrivals of stage <paramref name="plan"/>, request i's arrival being the one of the source's request i.</summary>
    IArrivalSchedule Arrivals(StagePlan plan);
}
