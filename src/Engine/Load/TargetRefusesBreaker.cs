using GuidellmFunctions.Engine.Client;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Stops a stage whose target refuses the load rather than buckling under it: the first <see cref="FirstRequests"/>
/// finished requests all fail with the same cause load cannot explain (an HTTP 4xx other than 429, a connection that
/// could not be made: refused, DNS, TLS), or <see cref="ConsecutiveFailures"/> requests fail one after the other before
/// any succeeds. 429 and 5xx are load signals: they count towards the second rule only after a refusal, never alone, and
/// are otherwise bounded by <c>max_errors</c>.
/// </summary>
internal sealed class TargetRefusesBreaker : IStageStopCondition
{
    /// <summary>The <c>stopReason</c> it gives.</summary>
    public const string StopReason = "target_refuses";

    /// <summary>Finished requests that must all fail alike for the first rule.</summary>
    public const int FirstRequests = 5;

    /// <summary>Failures in a row, with no success yet and at least one refusal among them, for the second rule.</summary>
    public const int ConsecutiveFailures = 20;

    private readonly Lock _lock = new();
    private int _seen;
    private bool _succeeded;
    private bool _refusalSeen;
    private bool _sameCause = true;
    private string? _cause;
    private string? _firstMessage;
    private bool _tripped;

    /// <inheritdoc/>
    public StageStop? Observe(RequestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_lock)
        {
            if (_tripped || _succeeded)
            {
                return null;
            }

            if (result.Status == RequestStatus.Successful)
            {
                _succeeded = true;
                return null;
            }

            if (result.Status != RequestStatus.Failed)
            {
                return null;
            }

            _seen++;
            var refusal = IsRefusal(result);
            _refusalSeen |= refusal;
            var cause = $"{FailureReasons.Format(result.Reason ?? FailureReason.Protocol)}/{result.HttpStatus}";
            _firstMessage ??= result.Error is { } error ? ServerMessages.Extract(error) : null;
            _cause ??= cause;
            _sameCause &= refusal && cause == _cause;
            if ((_seen == FirstRequests && _sameCause) || (_seen >= ConsecutiveFailures && _refusalSeen))
            {
                _tripped = true;
                var rule = _sameCause ? $"the first {FirstRequests} requests all failed alike" : $"{_seen} requests failed in a row before any succeeded";
                return new StageStop(StopReason, $"{rule}; the server's first message: {_firstMessage ?? "(none)"}");
            }

            return null;
        }
    }

    private static bool IsRefusal(RequestResult result) =>
        result.Reason is FailureReason.Http4xx or FailureReason.Connection;
}
