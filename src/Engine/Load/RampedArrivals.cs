namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Another schedule made to start slowly: the rate rises linearly from 0 to the schedule's own over
/// <c>ramp_up_seconds</c> R, then holds. The inner schedule runs at its full rate r; by the time change that keeps the
/// count of arrivals, its offset u (in r's clock, r·u requests) lands where the ramped rate has sent as many:
/// r·t²/(2R) = r·u gives t = √(2Ru) while u &lt; R/2, and t = u + R/2 after. Constant gaps stay evenly spaced in count,
/// Poisson and gamma gaps keep their shape; no rate is needed.
/// </summary>
internal sealed class RampedArrivals : IArrivalSchedule
{
    private readonly IArrivalSchedule _inner;
    private readonly double _ramp;

    /// <summary>Ramps <paramref name="inner"/> up over <paramref name="rampUp"/>.</summary>
    public RampedArrivals(IArrivalSchedule inner, TimeSpan rampUp)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rampUp, TimeSpan.Zero);
        _inner = inner;
        _ramp = rampUp.TotalSeconds;
    }

    /// <inheritdoc />
    public TimeSpan Next()
    {
        var offset = _inner.Next();
        if (offset == IArrivalSchedule.End)
        {
            return offset;
        }

        var u = offset.TotalSeconds;
        return TimeSpan.FromSeconds(u < _ramp / 2 ? Math.Sqrt(2 * _ramp * u) : u + (_ramp / 2));
    }
}
