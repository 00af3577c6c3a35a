using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// The runner's series for one target during one burst: counters start at 0 at the burst start and are cumulative to
/// its end, histograms hold every real observation. Snapshots give each series' value at a moment. Thread-safe.
/// </summary>
public sealed class BurstMetrics : IRequestMetricsSink
{
    private readonly Lock _lock = new();
    private readonly KeyValuePair<string, string>[] _baseLabels;
    private readonly Dictionary<string, long> _failed = FailureReasons.All.ToDictionary(r => r, _ => 0L, StringComparer.Ordinal);
    private readonly Dictionary<MetricFamily, BucketCounts> _histograms;
    private long _requests;
    private long _successful;
    private long _promptTokens;
    private long _outputTokens;
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
    public BurstMetrics(ResolvedTarget target, IReadOnlyDictionary<string, string>? externalLabels = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var labels = new Dictionary<string, string>(externalLabels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["environment"] = target.Environment,
            ["target"] = target.Target.Name,
            ["model"] = target.Target.Model,
        };
        _baseLabels = [.. labels];
        _slo = target.Settings.Get(SettingsTable.Slo);
        _histograms = new Dictionary<MetricFamily, BucketCounts>
        {
            [RunnerMetrics.Ttft] = new(RunnerMetrics.Ttft.Buckets!),
            [RunnerMetrics.Itl] = new(RunnerMetrics.Itl.Buckets!),
            [RunnerMetrics.E2e] = new(RunnerMetrics.E2e.Buckets!),
            [RunnerMetrics.Tpot] = new(RunnerMetrics.Tpot.Buckets!),
            [RunnerMetrics.DispatchDelay] = new(RunnerMetrics.DispatchDelay.Buckets!),
        };
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
    void IRequestMetricsSink.Observe(MetricFamily family, double seconds) => _histograms[family].Observe(seconds);

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
            void Add(MetricFamily family, string suffix, double value, params KeyValuePair<string, string>[] extra) =>
                list.Add((LabelSet.Build([.. _baseLabels, .. extra, new("__name__", family.Name + suffix)]), value));

            Add(RunnerMetrics.RequestsTotal, string.Empty, _requests);
            Add(RunnerMetrics.RequestsSuccessful, string.Empty, _successful);
            foreach (var (reason, count) in _failed)
            {
                Add(RunnerMetrics.RequestsFailed, string.Empty, count, new KeyValuePair<string, string>("reason", reason));
            }

            Add(RunnerMetrics.PromptTokens, string.Empty, _promptTokens);
            Add(RunnerMetrics.OutputTokens, string.Empty, _outputTokens);
            Add(RunnerMetrics.RunsTotal, string.Empty, _runs);
            Add(RunnerMetrics.RunsFailed, string.Empty, _runsFailed);
            foreach (var (family, h) in _histograms)
            {
                for (var i = 0; i < h.Bounds.Count; i++)
                {
                    Add(family, "_bucket", h.Cumulative(i), new KeyValuePair<string, string>("le", BucketCounts.Le(h.Bounds[i])));
                }

                Add(family, "_bucket", h.Count, new KeyValuePair<string, string>("le", "+Inf"));
                Add(family, "_sum", h.Sum);
                Add(family, "_count", h.Count);
            }

            var seconds = _lastRateTimestampMs == 0 ? 0 : (timestampMs - _lastRateTimestampMs) / 1000.0;
            Add(RunnerMetrics.RequestsPerSecond, string.Empty, seconds > 0 ? (_successful - _lastSuccessful) / seconds : 0);
            Add(RunnerMetrics.OutputTokensPerSecond, string.Empty, seconds > 0 ? (_outputTokens - _lastOutputTokens) / seconds : 0);
            (_lastSuccessful, _lastOutputTokens, _lastRateTimestampMs) = (_successful, _outputTokens, timestampMs);
            Add(RunnerMetrics.InFlight, string.Empty, _inFlight());
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
                Add(family, string.Empty, value, new KeyValuePair<string, string>(family.Label!, labelValue));
            }
        }

        return list;
    }
}
