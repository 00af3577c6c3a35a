namespace GuidellmFunctions.Engine.Reporting;

/// <summary>What started a run, as written in <c>trigger</c>.</summary>
public enum RunTrigger
{
    /// <summary>The nightly timer.</summary>
    Timer,

    /// <summary>An on-demand queue message.</summary>
    Queue,

    /// <summary>The command line.</summary>
    Cli,
}
