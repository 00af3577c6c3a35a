namespace GuidellmFunctions.Engine.Load;

/// <summary>Open-loop arrival times, as offsets from the stage start.</summary>
public interface IArrivalSchedule
{
    /// <summary>The offset at which the next request is due.</summary>
    TimeSpan Next();
}
