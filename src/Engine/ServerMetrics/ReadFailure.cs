namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>Why a read of server metrics failed, in words for the report; <see cref="TimedOut"/> when it used its whole timeout.</summary>
/// <param name="Message">What went wrong, secrets masked.</param>
/// <param name="TimedOut">The read ran into its timeout (a server that does not answer: later stages do not wait on it again).</param>
internal sealed record ReadFailure(string Message, bool TimedOut = false);
