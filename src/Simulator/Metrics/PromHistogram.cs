using System.Globalization;
using System.Text;

namespace GuidellmFunctions.Simulator.Metrics;

/// <summary>A classic Prometheus histogram (cumulative buckets, sum, count). Thread-safe.</summary>
internal sealed class PromHistogram(string name, string help, double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private readonly Lock _lock = new();
    private double _sum;
    private long _count;

    public void Observe(double value)
    {
        lock (_lock)
        {
            var i = Array.FindIndex(bounds, b => value <= b);
            _counts[i < 0 ? bounds.Length : i]++;
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
                text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels},le=\"{bounds[i]}\"}} {cumulative}\n");
            }

            cumulative += _counts[^1];
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels},le=\"+Inf\"}} {cumulative}\n");
            text.Append(CultureInfo.InvariantCulture, $"{name}_sum{{{labels}}} {_sum}\n{name}_count{{{labels}}} {_count}\n");
        }
    }
}
