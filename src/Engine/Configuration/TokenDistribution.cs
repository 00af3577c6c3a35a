namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// A token count drawn per request: <see cref="Mean"/> exactly when <see cref="StdDev"/> is 0, otherwise a
/// normal draw clamped to [<see cref="Min"/>, <see cref="Max"/>] (guidellm's synthetic data semantics).
/// </summary>
/// <param name="Mean">Target count.</param>
/// <param name="StdDev">Standard deviation of the count; 0 for a fixed count.</param>
/// <param name="Min">Smallest count drawn.</param>
/// <param name="Max">Largest count drawn.</param>
public sealed record TokenDistribution(int Mean, double StdDev = 0, int? Min = null, int? Max = null)
{
    /// <summary>Draws one count.</summary>
    public int Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (StdDev <= 0)
        {
            return Clamp(Mean);
        }

        // Box-Muller: one normal deviate from two uniforms.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return Clamp((int)Math.Round(Mean + (z * StdDev)));
    }

    private int Clamp(int value)
    {
        var low = Math.Max(1, Min ?? 1);
        var high = Max ?? int.MaxValue;
        return Math.Clamp(value, low, Math.Max(low, high));
    }
}
