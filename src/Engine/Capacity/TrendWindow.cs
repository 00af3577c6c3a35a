namespace GuidellmFunctions.Engine.Capacity;

/// <summary>
/// The linear trend of one signal over the most recent part of a stage: observations are averaged into bins of
/// <see cref="BinSeconds"/>, and a least-squares line is fitted through the bin means of the window. Memory is bounded
/// by the window's bins, whatever the request rate.
/// </summary>
internal sealed class TrendWindow
{
    /// <summary>Width of a bin.</summary>
    public const double BinSeconds = 0.25;

    // Two-sided 95% critical values of Student's t for 1..30 degrees of freedom; 1.96 beyond.
    private static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    private readonly Queue<(long Bin, double Sum, int Count)> _bins = new();
    private long _currentBin = long.MinValue;
    private double _currentSum;
    private int _currentCount;

    /// <summary>Adds an observation of <paramref name="value"/> at <paramref name="seconds"/> into the stage.</summary>
    public void Add(double seconds, double value)
    {
        var bin = (long)Math.Floor(seconds / BinSeconds);
        if (bin != _currentBin)
        {
            Flush();
            _currentBin = bin;
        }

        _currentSum += value;
        _currentCount++;
    }

    /// <summary>
    /// The trend of the bins from <paramref name="fromSeconds"/> on (older bins are dropped for good): null with fewer than
    /// six bins. The slope's standard error is inflated as if there were one independent point per second, since
    /// neighbouring bins of a load test are correlated (the same batch, the same queue).
    /// </summary>
    public Trend? Fit(double fromSeconds)
    {
        Flush();
        while (_bins.TryPeek(out var head) && (head.Bin + 1) * BinSeconds <= fromSeconds)
        {
            _bins.Dequeue();
        }

        var n = _bins.Count;
        if (n < 6)
        {
            return null;
        }

        double sx = 0, sy = 0;
        foreach (var (bin, sum, count) in _bins)
        {
            sx += (bin + 0.5) * BinSeconds;
            sy += sum / count;
        }

        double mx = sx / n, my = sy / n, sxx = 0, sxy = 0, syy = 0;
        foreach (var (bin, sum, count) in _bins)
        {
            var dx = ((bin + 0.5) * BinSeconds) - mx;
            var dy = (sum / count) - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }

        if (sxx <= 0)
        {
            return null;
        }

        var slope = sxy / sxx;
        var residual = Math.Max(0, syy - (slope * sxy)) / (n - 2);
        var span = n * BinSeconds;
        var effective = Math.Max(3, Math.Min(n, span));
        var standardError = Math.Sqrt(residual / sxx * (n / effective));
        var dof = (int)Math.Floor(effective) - 2;
        var t = dof <= T975.Length ? T975[Math.Max(1, dof) - 1] : 1.96;
        var first = _bins.Peek();
        var start = first.Bin * BinSeconds;
        var end = (_currentBin + 1) * BinSeconds;
        return new Trend(slope, slope - (t * standardError), my, my + (slope * (start - mx)), my + (slope * (end - mx)), end - start);
    }

    private void Flush()
    {
        if (_currentCount > 0)
        {
            _bins.Enqueue((_currentBin, _currentSum, _currentCount));
            (_currentSum, _currentCount) = (0, 0);
        }
    }
}
