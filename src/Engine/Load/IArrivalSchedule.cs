namespace GuidellmFunctions.Engine.Load;

/// <summary>Open-loop arrival times, as offsets from the stage start.</summary>
internal interface IArrivalSchedule
{
    /// <summary>The offset at which the next request is due.</summary>
    TimeSpan Next();
}
