namespace GuidellmFunctions.Engine.Client;

/// <summary>
/// One request's cancellation: its own deadline, and its stage's end. A single source with one registration on the stage
/// token, where a linked source would add a second source and two registrations to every request.
/// </summary>
internal sealed class RequestCancellation : CancellationTokenSource
{
    private static readonly Action<object?> OnStageEnd = static s => ((RequestCancellation)s!).EndStage();

    private readonly CancellationTokenRegistration _onStageEnd;
    private int _stageEnded;

    public RequestCancellation(TimeSpan timeout, TimeProvider time, CancellationToken stageToken)
        : base(timeout, time)
    {
        _onStageEnd = stageToken.UnsafeRegister(OnStageEnd, this);
    }

    /// <summary>
    /// The stage ended before the deadline passed: the request is incomplete, not timed out. (Were both to happen in the
    /// same instant, the one seen first decides.)
    /// </summary>
    public bool StageEnded => Volatile.Read(ref _stageEnded) != 0;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _onStageEnd.Dispose();
        }

        base.Dispose(disposing);
    }

    private void EndStage()
    {
        if (!IsCancellationRequested)
        {
            Volatile.Write(ref _stageEnded, 1);
            Cancel();
        }
    }
}
