namespace GuidellmFunctions.Engine.Load;

/// <summary>Open-loop arrival times, as offsets from the stage start.</summary>
internal interface IArrivalSchedule
{
    /// <summary>What <see cref="Next"/> returns when a finite schedule (a replayed trace) has no more arrivals.</summary>
    static TimeSpan End => TimeSpan.MaxValue;

    /// <summary>The offset at which the next request is due, or <see cref="End"/>.</summary>
    TimeSpan Next();
}
