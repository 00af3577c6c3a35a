namespace GuidellmFunctions.Engine.Load;

/// <summary>guidellm's sweep: after synchronous and throughput stages, constant rates evenly spaced between the two measured rates.</summary>
internal static class SweepPlanner
{
    /// <summary>
    /// The constant rates for a sweep of <paramref name="sweepSize"/> stages: <c>linspace(sync, throughput, size − 1)[1:]</c>,
    /// that is size − 2 rates, the last equal to the throughput rate. Empty when the measured rates give no range.
    /// </summary>
    public static IReadOnlyList<double> ConstantRates(double synchronousRate, double throughputRate, int sweepSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sweepSize, 3);
        if (!(synchronousRate > 0) || !(throughputRate > 0) || !double.IsFinite(synchronousRate) || !double.IsFinite(throughputRate))
        {
            return [];
        }

        var low = Math.Min(synchronousRate, throughputRate);
        var high = Math.Max(synchronousRate, throughputRate);
        var points = sweepSize - 1;
        var rates = new double[points - 1];
        for (var i = 1; i < points; i++)
        {
            rates[i - 1] = low + ((high - low) * i / (points - 1));
        }

        return rates;
    }
}
