using MathNet.Numerics.Distributions;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Gaps drawn from a gamma distribution of shape <c>burstiness</c> and mean 1 / rate, as vLLM's <c>--burstiness</c>: shape 1
/// is a Poisson process, a smaller shape sends bursts with long pauses between them, a larger one approaches constant
/// gaps. Seeded; the first request at 0.
/// </summary>
internal sealed class GammaArrivals : IArrivalSchedule
{
    private readonly Gamma _gaps;
    private double _seconds;
    private bool _started;

    /// <summary>Creates arrivals at a mean of <paramref name="rate"/> per second with gaps of shape <paramref name="burstiness"/>.</summary>
    public GammaArrivals(double rate, double burstiness, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burstiness);

        // Shape k and rate k * r: mean k / (k r) = 1 / r whatever the shape.
        _gaps = new Gamma(burstiness, burstiness * rate, new Random(seed));
    }

    /// <inheritdoc />
    public TimeSpan Next()
    {
        if (_started)
        {
            _seconds += _gaps.Sample();
        }

        _started = true;
        return TimeSpan.FromSeconds(_seconds);
    }
}
