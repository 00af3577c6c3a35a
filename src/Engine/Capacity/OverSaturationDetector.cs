using System.Globalization;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Capacity;

/// <summary>
/// Ends a capacity probe early when the server clearly cannot keep up, as guidellm's over-saturation constraint does:
/// over the most recent three quarters of the probe (at most two minutes), requests in flight rise steadily while TTFT
/// rises steadily, or an open loop falls ever further behind its schedule (dispatch delay). "Steadily" is a least-squares
/// trend whose 95% interval excludes no rise, with one independent point per second; the rise must also be material
/// (a quarter of the signal's mean over the window). Nothing is checked before <see cref="MinimumSeconds"/>, so the
/// ramp-up of a stage is never taken for saturation. A closed loop cannot pile requests up, so only its TTFT could rise:
/// such a probe runs its course and its SLO decides. Thread-safe.
/// </summary>
internal sealed class OverSaturationDetector(TimeProvider time, double minimumSeconds) : IRunObserver
{
    /// <summary>The reason a probe stopped by this detector reports.</summary>
    public const string StopReason = "over_saturation";

    private const double WindowShare = 0.75;
    private const double MaximumWindowSeconds = 120;
    private const double CheckEverySeconds = 0.5;

    private readonly Lock _lock = new();
    private readonly TrendWindow _inFlight = new();
    private readonly TrendWindow _ttft = new();
    private readonly TrendWindow _lateness = new();
    private long _start;
    private double _nextCheck;
    private double? _rate;
    private bool _stopped;

    /// <summary>Seconds into a probe before it is first checked.</summary>
    public double MinimumSeconds => minimumSeconds;

    /// <summary>The minimum check time for a probe of <paramref name="maxSeconds"/>: a fifth of it, between 2 and 30 seconds.</summary>
    public static double MinimumFor(TimeSpan? maxSeconds) => Math.Clamp((maxSeconds?.TotalSeconds ?? 25) * 0.2, 2, 30);

    /// <inheritdoc />
    public void OnStageStarted(StageContext stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        lock (_lock)
        {
            _start = stage.StartTimestamp;
            _nextCheck = minimumSeconds;
            _rate = stage.Plan.IsOpenLoop ? stage.Plan.Rate : null;
        }
    }

    /// <inheritdoc />
    public void OnRequestStarted(StageContext stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        lock (_lock)
        {
            var now = Seconds();
            _inFlight.Add(now, stage.InFlight());
            Check(stage, now);
        }
    }

    /// <inheritdoc />
    public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(result);
        lock (_lock)
        {
            var now = Seconds();
            if (result.TtftMs is { } ttft)
            {
                _ttft.Add(now, ttft);
            }

            if (_rate is not null)
            {
                _lateness.Add(now, result.DispatchDelayMs);
            }

            Check(stage, now);
        }
    }

    /// <inheritdoc />
    public void OnStageCompleted(StageContext stage, BenchmarkReport report)
    {
    }

    private double Seconds() => time.GetElapsedTime(_start).TotalSeconds;

    private void Check(StageContext stage, double now)
    {
        if (_stopped || now < _nextCheck)
        {
            return;
        }

        _nextCheck = now + CheckEverySeconds;
        var from = Math.Max(now * (1 - WindowShare), now - MaximumWindowSeconds);
        if (Why(from) is { } why)
        {
            _stopped = true;
            stage.StopEarly?.Invoke(StopReason, why);
        }
    }

    private string? Why(double from)
    {
        var inFlight = _inFlight.Fit(from);
        var ttft = _ttft.Fit(from);
        if (inFlight is not null && ttft is not null && inFlight.RisesBy(0.25, 2) && ttft.RisesBy(0.25, 1))
        {
            return Invariant($"the server is not keeping up: requests in flight rose from {inFlight.AtStart:F0} to {inFlight.AtEnd:F0} and TTFT from {ttft.AtStart:F0} ms to {ttft.AtEnd:F0} ms over the last {ttft.Seconds:F1} s");
        }

        if (_rate is { } rate && _lateness.Fit(from) is { } late)
        {
            var behind = Math.Max(250, 5000 / rate);
            if (late.AtEnd >= behind && late.RisesBy(0.25, 50))
            {
                return Invariant($"the open loop is falling behind its schedule: requests were sent {late.AtEnd:F0} ms late, {late.Slope:F0} ms later each second, over the last {late.Seconds:F1} s");
            }
        }

        return null;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
