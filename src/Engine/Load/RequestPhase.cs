namespace GuidellmFunctions.Engine.Load;

/// <summary>Where a request fell in its stage.</summary>
public enum RequestPhase
{
    /// <summary>Sent during warmup; excluded from results.</summary>
    Warmup,

    /// <summary>In the measured window.</summary>
    Measured,

    /// <summary>Completed during cooldown; excluded from results.</summary>
    Cooldown,
}
