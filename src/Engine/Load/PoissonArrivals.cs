namespace GuidellmFunctions.Engine.Load;

/// <summary>A Poisson process: exponential gaps of mean 1 / rate from a seeded generator, the first request at 0.</summary>
internal sealed class PoissonArrivals : IArrivalSchedule
{
    private readonly double _rate;
    private readonly Random _random;
    private double _seconds;
    private bool _started;

    /// <summary>Creates arrivals at a mean of <paramref name="rate"/> per second, reproducible from <paramref name="seed"/>.</summary>
    public PoissonArrivals(double rate, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        _rate = rate;
        _random = new Random(seed);
    }

    /// <inheritdoc />
    public TimeSpan Next()
    {
        if (_started)
        {
            _seconds += -Math.Log(1.0 - _random.NextDouble()) / _rate;
        }

        _started = true;
        return TimeSpan.FromSeconds(_seconds);
    }
}
