namespace GuidellmFunctions.Engine.Capacity;

/// <summary>
/// The capacity search's plan, without any load: from the first load, double while probes pass; then bisect between the
/// highest passing and the lowest failing load until they are within the tolerance (for streams, or one stream apart), or
/// the probe cap is reached. Each load is probed once, so the two bounds only ever close in.
/// </summary>
internal sealed class CapacitySearch
{
    private readonly CapacityBy _by;
    private readonly double _start;
    private readonly double _tolerance;
    private readonly int _maxProbes;
    private int _probes;

    /// <summary>Creates a search starting at <paramref name="start"/> (streams are rounded down, at least 1).</summary>
    public CapacitySearch(CapacityBy by, double start, double tolerance, int maxProbes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tolerance);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxProbes);
        _by = by;
        _start = by == CapacityBy.Concurrency ? Math.Max(1, Math.Floor(start)) : start;
        _tolerance = tolerance;
        _maxProbes = maxProbes;
    }

    /// <summary>The highest load that passed; null while none has.</summary>
    public double? Max { get; private set; }

    /// <summary>The lowest load that failed; null while none has.</summary>
    public double? FirstFailing { get; private set; }

    /// <summary>Why the search ended (<c>tolerance</c>, <c>first_probe_failed</c>, <c>max_probes</c>); null while it goes on.</summary>
    public string? EndReason { get; private set; }

    /// <summary>The next load to probe, or null when the search is over (<see cref="EndReason"/> says why).</summary>
    public double? Next()
    {
        if (EndReason is not null)
        {
            return null;
        }

        double next;
        if (_probes == 0)
        {
            next = _start;
        }
        else if (Max is null)
        {
            return End("first_probe_failed");
        }
        else if (FirstFailing is not { } failing)
        {
            next = Max.Value * 2;
        }
        else
        {
            var passing = Max.Value;
            if (failing - passing <= _tolerance * passing || (_by == CapacityBy.Concurrency && failing - passing <= 1))
            {
                return End("tolerance");
            }

            next = _by == CapacityBy.Concurrency ? Math.Floor((passing + failing) / 2) : (passing + failing) / 2;
        }

        return _probes >= _maxProbes ? End("max_probes") : next;
    }

    /// <summary>Records the outcome of the probe at <paramref name="load"/> (the last <see cref="Next"/>).</summary>
    public void Record(double load, bool met)
    {
        _probes++;
        if (met)
        {
            Max = Math.Max(Max ?? load, load);
        }
        else
        {
            FirstFailing = Math.Min(FirstFailing ?? load, load);
        }
    }

    /// <summary>Ends the search early (cancelled).</summary>
    public void Stop(string reason) => EndReason ??= reason;

    private double? End(string reason)
    {
        EndReason = reason;
        return null;
    }
}
