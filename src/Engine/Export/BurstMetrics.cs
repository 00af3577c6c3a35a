using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// The runner's series for one target during one burst: counters start at 0 at the burst start and are cumulative to
/// its end, histograms hold every real observation (in classic buckets, and in native ones when asked for). Snapshots
/// give each series' value at a moment. Thread-safe.
/// </summary>
internal sealed class BurstMetrics : IRequestMetricsSink
{
    private readonly Lock _lock = new();
    private readonly KeyValuePair<string, string>[] _baseLabels;
    private readonly Dictionary<string, long> _failed = FailureReasons.All.ToDictionary(r => r, _ => 0L, StringComparer.Ordinal);
    private readonly Dictionary<MetricFamily, BucketCounts> _histograms;
    private readonly Dictionary<MetricFamily, NativeHistogram>? _native;
    private readonly Dictionary<(string Name, string? Key, string? Value), KeyValuePair<string, string>[]> _labels = [];
    private long _requests;
    private long _successful;
    private long _promptTokens;
    private long _outputTokens;
    private long _reasoningTokens;
    private double? _stageValid;
    private long _runs;
    private long _runsFailed;
    private double? _lastSuccess;
    private long _lastSuccessful;
    private long _lastOutputTokens;
    private long _lastRateTimestampMs;
    private Func<int> _inFlight = () => 0;
    private readonly Slo.SloObjectives? _slo;
    private long _sloEvaluated;
    private long _sloConforming;
    private IReadOnlyList<(MetricFamily Family, string LabelValue, double Value)> _outcome = [];

    /// <summary>Creates the series of <paramref name="target"/> with <paramref name="externalLabels"/>.</summary>
    /// <param name="target">The target.</param>
    /// <param name="externalLabels">Labels added to every series.</param>
    /// <param name="layout">Classic bucket boundaries (the defaults when null).</param>
    /// <param name="native">Also keep native histograms, for <see cref="NativeSnapshot"/>.</param>
    public BurstMetrics(ResolvedTarget target, IReadOnlyDictionary<string, string>? externalLabels = null, HistogramLayout? layout = null, bool native = false)
    {
        ArgumentNullException.ThrowIfNull(target);
        var labels = new Dictionary<string, string>(externalLabels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["environment"] = target.Environment,
            ["target"] = target.Target.Name,
            ["model"] = target.Target.Model,
        };
        if (target.Shard is { } shard)
        {
            // Each worker pushes its own series: counters of different shards never overwrite each other.
            labels["shard"] = shard.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        _baseLabels = [.. labels];
        _slo = RequestMetrics.CountedSlo(target.Settings);
        layout ??= HistogramLayout.Default;
        _histograms = HistogramLayout.Families.Values.ToDictionary(f => f, f => new BucketCounts(layout.For(f)));
        _native = native ? HistogramLayout.Families.Values.ToDictionary(f => f, _ => new NativeHistogram()) : null;
    }

    /// <summary>Follows the in-flight count of the running stage.</summary>
    public void Track(StageContext stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        _inFlight = stage.InFlight;
    }

    /// <summary>Counts a finished request of the measured window.</summary>
    public void Observe(RequestResult result)
    {
        lock (_lock)
        {
            RequestMetrics.Record(result, this, _slo);
        }
    }

    /// <inheritdoc />
    void IRequestMetricsSink.Add(MetricFamily family, double amount, string? reason)
    {
        var n = (long)amount;
        if (family == RunnerMetrics.RequestsTotal)
        {
            _requests += n;
        }
        else if (family == RunnerMetrics.RequestsSuccessful)
        {
            _successful += n;
        }
        else if (family == RunnerMetrics.PromptTokens)
        {
            _promptTokens += n;
        }
        else if (family == RunnerMetrics.OutputTokens)
        {
            _outputTokens += n;
        }
        else if (family == RunnerMetrics.ReasoningTokens)
        {
            _reasoningTokens += n;
        }
        else if (family == RunnerMetrics.RequestsFailed)
        {
            _failed[reason!] += n;
        }
        else if (family == RunnerMetrics.SloEvaluated)
        {
            _sloEvaluated += n;
        }
        else if (family == RunnerMetrics.SloConforming)
        {
            _sloConforming += n;
        }
    }

    /// <inheritdoc />
    void IRequestMetricsSink.Observe(MetricFamily family, double seconds)
    {
        _histograms[family].Observe(seconds);
        _native?[family].Observe(seconds);
    }

    /// <summary>Keeps what a finished stage says of itself (its validity).</summary>
    public void StageEnded(BenchmarkReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        lock (_lock)
        {
            _stageValid = report.Validity is { } validity ? (validity.Valid ? 1 : 0) : _stageValid;
        }
    }

    /// <summary>Counts the end of the run, and its success time when it completed.</summary>
    public void RunEnded(bool completed, DateTimeOffset at)
    {
        lock (_lock)
        {
            _runs++;
            if (completed)
            {
                _lastSuccess = at.ToUnixTimeMilliseconds() / 1000.0;
            }
            else
            {
                _runsFailed++;
            }
        }
    }

    /// <summary>Takes the gauges of the run's answers (capacity, verdict) from its final report.</summary>
    public void Conclude(Reporting.RunReport report)
    {
        var outcome = RunOutcomeSeries.From(report);
        lock (_lock)
        {
            _outcome = outcome;
        }
    }

    /// <summary>Every series with its current value, labelled, at <paramref name="timestampMs"/>.</summary>
    public IReadOnlyList<(KeyValuePair<string, string>[] Labels, double Value)> Snapshot(long timestampMs)
    {
        var list = new List<(KeyValuePair<string, string>[], double)>(128);
        lock (_lock)
        {
            void Add(MetricFamily family, string suffix, double value, string? key = null, string? label = null) =>
                list.Add((Labels(family.Name + suffix, key, label), value));

            Add(RunnerMetrics.RequestsTotal, string.Empty, _requests);
            Add(RunnerMetrics.RequestsSuccessful, string.Empty, _successful);
            foreach (var (reason, count) in _failed)
            {
                Add(RunnerMetrics.RequestsFailed, string.Empty, count, "reason", reason);
            }

            Add(RunnerMetrics.PromptTokens, string.Empty, _promptTokens);
            Add(RunnerMetrics.OutputTokens, string.Empty, _outputTokens);
            Add(RunnerMetrics.ReasoningTokens, string.Empty, _reasoningTokens);
            Add(RunnerMetrics.RunsTotal, string.Empty, _runs);
            Add(RunnerMetrics.RunsFailed, string.Empty, _runsFailed);
            foreach (var (family, h) in _histograms)
            {
                var cumulative = h.Cumulative();
                for (var i = 0; i < h.Les.Count; i++)
                {
                    Add(family, "_bucket", cumulative[i], "le", h.Les[i]);
                }

                Add(family, "_bucket", h.Count, "le", "+Inf");
                Add(family, "_sum", h.Sum);
                Add(family, "_count", h.Count);
            }

            var seconds = _lastRateTimestampMs == 0 ? 0 : (timestampMs - _lastRateTimestampMs) / 1000.0;
            Add(RunnerMetrics.RequestsPerSecond, string.Empty, seconds > 0 ? (_successful - _lastSuccessful) / seconds : 0);
            Add(RunnerMetrics.OutputTokensPerSecond, string.Empty, seconds > 0 ? (_outputTokens - _lastOutputTokens) / seconds : 0);
            (_lastSuccessful, _lastOutputTokens, _lastRateTimestampMs) = (_successful, _outputTokens, timestampMs);
            Add(RunnerMetrics.InFlight, string.Empty, _inFlight());
            if (_stageValid is { } valid)
            {
                Add(RunnerMetrics.StageValid, string.Empty, valid);
            }

            if (_lastSuccess is { } last)
            {
                Add(RunnerMetrics.LastBenchmarkTimestamp, string.Empty, last);
            }

            if (_slo is not null)
            {
                Add(RunnerMetrics.SloEvaluated, string.Empty, _sloEvaluated);
                Add(RunnerMetrics.SloConforming, string.Empty, _sloConforming);
                Add(RunnerMetrics.SloAttainmentTarget, string.Empty, _slo.Attainment);
            }

            foreach (var (family, labelValue, value) in _outcome)
            {
                Add(family, string.Empty, value, family.Label!, labelValue);
            }
        }

        return list;
    }

    /// <summary>Every native histogram series (named as its family, without <c>le</c>) with its current state; empty unless created with <c>native</c>.</summary>
    public IReadOnlyList<(KeyValuePair<string, string>[] Labels, NativeHistogramSample Histogram)> NativeSnapshot()
    {
        if (_native is null)
        {
            return [];
        }

        lock (_lock)
        {
            return [.. _native.Select(n => (Labels(n.Key.Name, null, null), n.Value.Snapshot()))];
        }
    }

    /// <summary>The labels of a series, built and checked once per burst (callers hold the lock and never change them).</summary>
    private KeyValuePair<string, string>[] Labels(string name, string? key, string? value)
    {
        if (!_labels.TryGetValue((name, key, value), out var labels))
        {
            labels = LabelSet.Build([.. _baseLabels, .. key is null ? [] : new KeyValuePair<string, string>[] { new(key, value!) }, new("__name__", name)]);
            _labels[(name, key, value)] = labels;
        }

        return labels;
    }
}
