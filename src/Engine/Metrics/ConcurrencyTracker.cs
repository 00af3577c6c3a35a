namespace GuidellmFunctions.Engine.Metrics;

/// <summary>
/// Tracks requests in flight over time: the time-weighted mean and the maximum over any window, in memory that grows
/// with the stage's length in seconds (one checkpoint per second), never with its request count. Thread-safe.
/// </summary>
internal sealed class ConcurrencyTracker
{
    private readonly Lock _lock = new();
    private readonly long _frequency;
    private readonly List<(long Timestamp, double Area, int Max)> _checkpoints = [];
    private long _lastTimestamp;
    private double _area;
    private int _current;
    private int _maxSinceCheckpoint;

    /// <summary>Starts tracking at <paramref name="origin"/> with 0 in flight.</summary>
    public ConcurrencyTracker(long origin, long frequency)
    {
        _frequency = frequency;
        _lastTimestamp = origin;
        _checkpoints.Add((origin, 0, 0));
    }

    /// <summary>Requests in flight now.</summary>
    public int Current => Volatile.Read(ref _current);

    /// <summary>A request started at <paramref name="timestamp"/>.</summary>
    public void Increment(long timestamp) => Change(timestamp, +1);

    /// <summary>A request ended at <paramref name="timestamp"/>.</summary>
    public void Decrement(long timestamp) => Change(timestamp, -1);

    /// <summary>Mean and max in flight over [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public (double Mean, int Max) Measure(long from, long to)
    {
        lock (_lock)
        {
            Advance(Math.Max(to, _lastTimestamp));
            if (to <= from)
            {
                return (0, 0);
            }

            var mean = (AreaAt(to) - AreaAt(from)) / ((to - from) / (double)_frequency);
            var max = 0;
            for (var i = 1; i < _checkpoints.Count; i++)
            {
                if (_checkpoints[i].Timestamp > from && _checkpoints[i - 1].Timestamp < to)
                {
                    max = Math.Max(max, _checkpoints[i].Max);
                }
            }

            return (Math.Max(0, mean), max);
        }
    }

    private void Change(long timestamp, int delta)
    {
        lock (_lock)
        {
            Advance(Math.Max(timestamp, _lastTimestamp));
            _current += delta;
            _maxSinceCheckpoint = Math.Max(_maxSinceCheckpoint, _current);
        }
    }

    private void Advance(long timestamp)
    {
        // Close every whole second passed since the last checkpoint, so windows can be cut at one-second precision.
        var last = _checkpoints[^1].Timestamp;
        while (timestamp - last >= _frequency)
        {
            var boundary = last + _frequency;
            _area += _current * ((boundary - _lastTimestamp) / (double)_frequency);
            _lastTimestamp = boundary;
            _checkpoints.Add((boundary, _area, Math.Max(_maxSinceCheckpoint, _current)));
            _maxSinceCheckpoint = _current;
            last = boundary;
        }

        _area += _current * ((timestamp - _lastTimestamp) / (double)_frequency);
        _lastTimestamp = timestamp;
    }

    private double AreaAt(long timestamp)
    {
        if (timestamp >= _lastTimestamp)
        {
            return _area + (_current * ((timestamp - _lastTimestamp) / (double)_frequency));
        }

        var index = _checkpoints.FindLastIndex(c => c.Timestamp <= timestamp);
        if (index < 0)
        {
            return 0;
        }

        var (ts, area, _) = _checkpoints[index];
        var nextTs = index + 1 < _checkpoints.Count ? _checkpoints[index + 1].Timestamp : _lastTimestamp;
        var nextArea = index + 1 < _checkpoints.Count ? _checkpoints[index + 1].Area : _area;
        return nextTs == ts ? area : area + ((nextArea - area) * (timestamp - ts) / (nextTs - ts));
    }
}
