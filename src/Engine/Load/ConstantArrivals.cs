namespace GuidellmFunctions.Engine.Load;

/// <summary>Request i at i / rate: computed from i, never accumulated, so no drift over long stages.</summary>
internal sealed class ConstantArrivals : IArrivalSchedule
{
    private readonly double _rate;
    private long _index;

    /// <summary>Creates arrivals at <paramref name="rate"/> per second.</summary>
    public ConstantArrivals(double rate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        _rate = rate;
    }

    /// <inheritdoc />
    public TimeSpan Next() => TimeSpan.FromSeconds(_index++ / _rate);
}
