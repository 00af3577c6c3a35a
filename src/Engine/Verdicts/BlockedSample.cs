namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>
/// One run's measured requests in the compared stages, as a histogram per time block and metric (TTFT, TPOT, E2E) and
/// output tokens per block: what a block bootstrap resamples. Memory is bounded by stages × blocks × the bucket grid,
/// never by the number of requests.
/// </summary>
internal sealed class BlockedSample
{
    /// <summary>Latency metrics held, by index.</summary>
    public const int Ttft = 0, Tpot = 1, E2e = 2, Latencies = 3;

    private readonly StageWindow[] _stages;
    private readonly Dictionary<int, int> _position;
    private readonly int[]?[][][] _counts;
    private readonly long[][] _tokens;
    private bool _sealed;

    /// <summary>Creates an empty sample of <paramref name="stages"/> (in the order they are compared).</summary>
    public BlockedSample(IReadOnlyList<StageWindow> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        _stages = [.. stages];
        _position = _stages.Select((s, i) => (s.Index, i)).ToDictionary(x => x.Index, x => x.i);
        _counts = [.. _stages.Select(s => Enumerable.Range(0, Latencies).Select(_ => new int[]?[s.Blocks]).ToArray())];
        _tokens = [.. _stages.Select(s => new long[s.Blocks])];
    }

    /// <summary>The stages, in comparison order.</summary>
    public IReadOnlyList<StageWindow> Stages => _stages;

    /// <summary>Observations per latency metric.</summary>
    public long[] Observations { get; } = new long[Latencies];

    /// <summary>Adds a record; those of other stages, outside the measured window or not successful are left out.</summary>
    public void Add(in RecordFields record)
    {
        if (_sealed)
        {
            throw new InvalidOperationException("the sample is sealed");
        }

        if (!record.Measured || !record.Successful || !_position.TryGetValue(record.Stage, out var s))
        {
            return;
        }

        var block = _stages[s].BlockOf(record.SentMs);
        _tokens[s][block] += record.OutputTokens;
        Count(s, Ttft, block, record.TtftMs);
        Count(s, Tpot, block, record.TpotMs);
        Count(s, E2e, block, record.E2eMs);
    }

    /// <summary>Ends adding: counts become cumulative over the bucket grid, which quantiles read.</summary>
    public void Seal()
    {
        if (_sealed)
        {
            return;
        }

        _sealed = true;
        foreach (var stage in _counts)
        {
            foreach (var metric in stage)
            {
                foreach (var counts in metric)
                {
                    if (counts is null)
                    {
                        continue;
                    }

                    for (var k = 1; k < counts.Length; k++)
                    {
                        counts[k] += counts[k - 1];
                    }
                }
            }
        }
    }

    /// <summary>The cumulative counts of a stage's block for a metric (after <see cref="Seal"/>); null when the block has none.</summary>
    public int[]? Cumulative(int stage, int metric, int block) => _counts[stage][metric][block];

    /// <summary>Output tokens of a stage's block.</summary>
    public long Tokens(int stage, int block) => _tokens[stage][block];

    private void Count(int stage, int metric, int block, double? value)
    {
        if (value is not { } ms || !double.IsFinite(ms))
        {
            return;
        }

        (_counts[stage][metric][block] ??= new int[LogBuckets.Count])[LogBuckets.Index(ms)]++;
        Observations[metric]++;
    }
}
