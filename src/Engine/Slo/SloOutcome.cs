namespace GuidellmFunctions.Engine.Slo;

/// <summary>How one request stands against a stage's SLO.</summary>
public enum SloOutcome
{
    /// <summary>Incomplete: the stage ended while it was in flight.</summary>
    NotEvaluated,

    /// <summary>Successful and within every objective.</summary>
    Conforming,

    /// <summary>Failed, or beyond an objective.</summary>
    NotConforming,
}
