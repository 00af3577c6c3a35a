namespace GuidellmFunctions.Engine.Capacity;

/// <summary>A fitted linear trend of a signal over a window.</summary>
/// <param name="Slope">Change per second.</param>
/// <param name="SlopeLow">Lower bound of the slope's two-sided 95% interval: above 0, the rise is not noise.</param>
/// <param name="Mean">Mean of the window.</param>
/// <param name="AtStart">The fitted value at the window's start.</param>
/// <param name="AtEnd">The fitted value at the window's end.</param>
/// <param name="Seconds">Length of the window.</param>
internal sealed record Trend(double Slope, double SlopeLow, double Mean, double AtStart, double AtEnd, double Seconds)
{
    /// <summary>True when the signal rises beyond noise by at least <paramref name="share"/> of its mean (and <paramref name="atLeast"/>) over the window.</summary>
    public bool RisesBy(double share, double atLeast) => SlopeLow > 0 && AtEnd - AtStart >= Math.Max(atLeast, share * Math.Abs(Mean));
}
