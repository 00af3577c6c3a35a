using System.Threading.Tasks.Sources;

namespace GuidellmFunctions.Simulator.Scheduling;

/// <summary>
/// Wakes the one task streaming a request when the engine has news for it (tokens, the end). A wake-up is remembered
/// until it is waited for, and the waiter always reads the request's state again after waking, so a wake-up can be
/// spurious but never lost. Reusable, so waiting allocates nothing; continuations run on the thread pool, never inside
/// the engine's lock.
/// </summary>
internal sealed class RequestSignal : IValueTaskSource
{
    private const int Idle = 0;
    private const int Waiting = 1;
    private const int Signaled = 2;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _state;

    /// <summary>Completes at once when woken since the last wait, else at the next <see cref="Set"/>. One waiter at a time.</summary>
    public ValueTask WaitAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Signaled) == Signaled)
        {
            return ValueTask.CompletedTask;
        }

        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) == Signaled)
        {
            Volatile.Write(ref _state, Idle);
            return ValueTask.CompletedTask;
        }

        return new ValueTask(this, _core.Version);
    }

    /// <summary>Wakes the waiter, or the next one to wait.</summary>
    public void Set()
    {
        if (Interlocked.Exchange(ref _state, Signaled) == Waiting)
        {
            // The wake-up below is what the waiter consumes; a later Set leaves Signaled for its next wait.
            Interlocked.CompareExchange(ref _state, Idle, Signaled);
            _core.SetResult(true);
        }
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
