namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Request i at (i + phase) / rate: computed from i, never accumulated, so no drift over long stages. Shard k of N of a
/// sharded constant run has phase (k - 1) / N at rate / N, so the shards' arrivals interleave into the full schedule.
/// </summary>
internal sealed class ConstantArrivals : IArrivalSchedule
{
    private readonly double _rate;
    private readonly double _phase;
    private long _index;

    /// <summary>Creates arrivals at <paramref name="rate"/> per second, the first <paramref name="phase"/> of a gap after the start.</summary>
    public ConstantArrivals(double rate, double phase = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfNegative(phase);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(phase, 1);
        _rate = rate;
        _phase = phase;
    }

    /// <inheritdoc />
    public TimeSpan Next() => TimeSpan.FromSeconds((_index++ + _phase) / _rate);
}
