using System.Globalization;
using System.Text;

namespace GuidellmFunctions.Simulator.Metrics;

/// <summary>A classic Prometheus histogram (cumulative buckets, sum, count), rendered as Python's client renders it. Thread-safe.</summary>
internal sealed class PromHistogram(string name, string help, double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private readonly Lock _lock = new();
    private double _sum;
    private long _count;

    public long Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public void Observe(double value)
    {
        var i = Array.BinarySearch(bounds, value);
        lock (_lock)
        {
            _counts[i < 0 ? ~i : i]++;
            _sum += value;
            _count++;
        }
    }

    public void Write(StringBuilder text, string labels)
    {
        lock (_lock)
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} histogram\n");
            long cumulative = 0;
            for (var i = 0; i < bounds.Length; i++)
            {
                cumulative += _counts[i];
                text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels},le=\"{PromText.Number(bounds[i])}\"}} {PromText.Number(cumulative)}\n");
            }

            cumulative += _counts[^1];
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels},le=\"+Inf\"}} {PromText.Number(cumulative)}\n");
            text.Append(CultureInfo.InvariantCulture, $"{name}_sum{{{labels}}} {PromText.Number(_sum)}\n{name}_count{{{labels}}} {PromText.Number(_count)}\n");
        }
    }
}
