namespace GuidellmFunctions.Simulator.Metrics;

/// <summary>Tokens per second over the last complete seconds, for vLLM v0's average-throughput gauges. Thread-safe.</summary>
internal sealed class ThroughputWindow(TimeProvider time)
{
    private const int Seconds = 10;
    private readonly long[] _counts = new long[Seconds];
    private readonly long[] _second = new long[Seconds];
    private readonly Lock _lock = new();

    public void Add(long tokens)
    {
        var second = Now();
        lock (_lock)
        {
            var slot = (int)(second % Seconds);
            if (_second[slot] != second)
            {
                _second[slot] = second;
                _counts[slot] = 0;
            }

            _counts[slot] += tokens;
        }
    }

    /// <summary>The mean over the complete seconds before this one (the current second is still filling).</summary>
    public double PerSecond()
    {
        var current = Now();
        long sum = 0;
        lock (_lock)
        {
            for (var i = 0; i < Seconds; i++)
            {
                if (_second[i] < current && _second[i] >= current - (Seconds - 1))
                {
                    sum += _counts[i];
                }
            }
        }

        return sum / (double)(Seconds - 1);
    }

    private long Now() => (long)(time.GetTimestamp() / (double)time.TimestampFrequency);
}
