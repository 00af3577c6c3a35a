namespace GuidellmFunctions.Cli;

/// <summary>Process exit codes scripts can rely on.</summary>
internal static class ExitCodes
{
    /// <summary>Every run completed.</summary>
    public const int Success = 0;

    /// <summary>A run failed or was cancelled, or a report could not be saved.</summary>
    public const int RunFailed = 1;

    /// <summary>The configuration or the command line is invalid.</summary>
    public const int InvalidInput = 2;
}
