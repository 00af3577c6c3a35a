namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>
/// A block bootstrap of the relative change of each metric between two runs. Each run's time blocks are resampled with
/// replacement, stage by stage (Carlstein's non-overlapping blocks): a block keeps the autocorrelation of a load test's
/// latencies (the same batch, the same queue), which resampling single requests would ignore and so produce intervals
/// too narrow. A replicate's quantile is read from the histograms of its drawn blocks by a binary search over the bucket
/// grid (each block holds cumulative counts), so a replicate costs blocks × log(buckets), not requests.
/// </summary>
internal static class BlockBootstrap
{
    /// <summary>Replicates drawn.</summary>
    public const int Replicates = 4000;

    /// <summary>
    /// Estimates <paramref name="metrics"/> in both sealed samples with a <c>1 − alpha</c> percentile interval of each
    /// change; a metric that one run cannot give (no observation) is left out. <paramref name="seed"/> makes the draws,
    /// and so the verdict, reproducible.
    /// </summary>
    public static IReadOnlyList<MetricEstimate> Run(BlockedSample baseline, BlockedSample current, IReadOnlyList<VerdictMetricDefinition> metrics, double alpha, int seed, int replicates = Replicates)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(metrics);
        var a = new Prepared(baseline);
        var b = new Prepared(current);
        var ranges = new (int Low, int High)[BlockedSample.Latencies];
        for (var m = 0; m < ranges.Length; m++)
        {
            var (aLow, aHigh) = a.Range(m);
            var (bLow, bHigh) = b.Range(m);
            ranges[m] = (Math.Min(aLow, bLow), Math.Max(aHigh, bHigh));
        }

        double Value(Prepared p, VerdictMetricDefinition metric) => metric.Latency is { } latency
            ? p.Quantile(latency, metric.Quantile, ranges[latency])
            : p.Throughput();

        var point = metrics.Select(m => (Baseline: Value(a, m), Current: Value(b, m))).ToArray();
        var draws = metrics.Select(_ => new double[replicates]).ToArray();
        var random = new Random(seed);
        for (var r = 0; r < replicates; r++)
        {
            a.Draw(random);
            b.Draw(random);
            for (var m = 0; m < metrics.Count; m++)
            {
                draws[m][r] = Change(Value(a, metrics[m]), Value(b, metrics[m]));
            }
        }

        var result = new List<MetricEstimate>();
        for (var m = 0; m < metrics.Count; m++)
        {
            var (baseValue, currentValue) = point[m];
            var change = Change(baseValue, currentValue);
            var finite = draws[m].Where(double.IsFinite).Order().ToArray();
            if (!double.IsFinite(change) || finite.Length < replicates / 2)
            {
                continue;
            }

            result.Add(new MetricEstimate(metrics[m], baseValue, currentValue, change, Percentile(finite, alpha / 2), Percentile(finite, 1 - (alpha / 2))));
        }

        return result;
    }

    /// <summary>A stable seed from the two runs' ids (string hashes differ between processes).</summary>
    public static int Seed(string baselineRunId, string currentRunId)
    {
        var hash = 2166136261u;
        foreach (var c in baselineRunId + "\n" + currentRunId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & int.MaxValue);
    }

    private static double Change(double baseline, double current) => baseline > 0 ? (current / baseline) - 1 : double.NaN;

    private static double Percentile(double[] sorted, double p)
    {
        var position = p * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(sorted.Length - 1, below + 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }

    /// <summary>A sample's blocks flattened across stages, with the current replicate's weights.</summary>
    private sealed class Prepared
    {
        private readonly (int Offset, int Count)[] _stages;
        private readonly int[] _weights;
        private readonly (int Block, int[] Cumulative)[][] _latency;
        private readonly long[] _tokens;
        private readonly double[] _seconds;

        public Prepared(BlockedSample sample)
        {
            _stages = new (int, int)[sample.Stages.Count];
            var total = 0;
            for (var s = 0; s < _stages.Length; s++)
            {
                _stages[s] = (total, sample.Stages[s].Blocks);
                total += sample.Stages[s].Blocks;
            }

            _weights = new int[total];
            Array.Fill(_weights, 1);
            _tokens = new long[total];
            _seconds = new double[total];
            var latency = Enumerable.Range(0, BlockedSample.Latencies).Select(_ => new List<(int, int[])>()).ToArray();
            for (var s = 0; s < _stages.Length; s++)
            {
                var window = sample.Stages[s];
                for (var block = 0; block < window.Blocks; block++)
                {
                    var g = _stages[s].Offset + block;
                    _tokens[g] = sample.Tokens(s, block);
                    _seconds[g] = window.LengthMs / window.Blocks / 1000;
                    for (var m = 0; m < latency.Length; m++)
                    {
                        if (sample.Cumulative(s, m, block) is { } cumulative)
                        {
                            latency[m].Add((g, cumulative));
                        }
                    }
                }
            }

            _latency = [.. latency.Select(l => l.ToArray())];
        }

        /// <summary>The first and last bucket holding an observation of <paramref name="metric"/>.</summary>
        public (int Low, int High) Range(int metric)
        {
            var low = LogBuckets.Count - 1;
            var high = 0;
            foreach (var (_, cumulative) in _latency[metric])
            {
                var total = cumulative[^1];
                low = Math.Min(low, FirstAtLeast(cumulative, 1));
                high = Math.Max(high, FirstAtLeast(cumulative, total));
            }

            return (low, high);
        }

        /// <summary>Draws a replicate: every stage's blocks resampled with replacement.</summary>
        public void Draw(Random random)
        {
            Array.Clear(_weights);
            foreach (var (offset, count) in _stages)
            {
                for (var i = 0; i < count; i++)
                {
                    _weights[offset + random.Next(count)]++;
                }
            }
        }

        /// <summary>The nearest-rank quantile of the weighted blocks; NaN when they hold no observation.</summary>
        public double Quantile(int metric, double q, (int Low, int High) range)
        {
            var blocks = _latency[metric];
            long total = 0;
            foreach (var (g, cumulative) in blocks)
            {
                total += (long)_weights[g] * cumulative[^1];
            }

            if (total == 0)
            {
                return double.NaN;
            }

            var rank = Math.Max(1, (long)Math.Ceiling(q * total));
            int low = range.Low, high = range.High;
            while (low < high)
            {
                var mid = (low + high) >> 1;
                long below = 0;
                foreach (var (g, cumulative) in blocks)
                {
                    below += (long)_weights[g] * cumulative[mid];
                }

                if (below >= rank)
                {
                    high = mid;
                }
                else
                {
                    low = mid + 1;
                }
            }

            return LogBuckets.Value(low);
        }

        /// <summary>Output tokens per second of the weighted blocks.</summary>
        public double Throughput()
        {
            double tokens = 0, seconds = 0;
            for (var g = 0; g < _weights.Length; g++)
            {
                tokens += (double)_weights[g] * _tokens[g];
                seconds += _weights[g] * _seconds[g];
            }

            return seconds > 0 ? tokens / seconds : double.NaN;
        }

        private static int FirstAtLeast(int[] cumulative, long count)
        {
            int low = 0, high = cumulative.Length - 1;
            while (low < high)
            {
                var mid = (low + high) >> 1;
                if (cumulative[mid] >= count)
                {
                    high = mid;
                }
                else
                {
                    low = mid + 1;
                }
            }

            return low;
        }
    }
}
