namespace GuidellmFunctions.Engine.Reporting;

/// <summary>How a run ended, as written in <c>status</c>.</summary>
public enum RunStatus
{
    /// <summary>Every stage ran to its stop condition and at least one request succeeded in each.</summary>
    Completed,

    /// <summary>A stage had no successful request, hit <c>max_errors</c>, or the run could not start.</summary>
    Failed,

    /// <summary>The run was cancelled (host shutdown, Ctrl+C, timeout); the report holds what was measured until then.</summary>
    Cancelled,
}
