namespace GuidellmFunctions.Engine.Client;

/// <summary>How a request ended.</summary>
public enum RequestStatus
{
    /// <summary>HTTP 2xx and the stream ended cleanly.</summary>
    Successful,

    /// <summary>Ended with a <see cref="FailureReason"/>.</summary>
    Failed,

    /// <summary>Still in flight when the stage ended (or the run was cancelled); cancelled by the runner.</summary>
    Incomplete,
}
