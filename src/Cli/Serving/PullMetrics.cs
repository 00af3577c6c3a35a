using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using Prometheus;

namespace GuidellmFunctions.Cli.Serving;

/// <summary>
/// The runner's series for pull mode (<c>serve</c>): the same names, labels and buckets as the remote_write push, but
/// cumulative over the life of the process, as scraped counters are. Classic buckets only: prometheus-net 8.2.1 has no
/// native histograms and writes only the text formats, and Prometheus 2.x scrapes native histograms only from the
/// protobuf format. Thread-safe.
/// </summary>
internal sealed class PullMetrics
{
    private static readonly string[] Labels = ["environment", "target", "model"];

    private readonly Dictionary<MetricFamily, Counter> _counters = [];
    private readonly Dictionary<MetricFamily, Histogram> _histograms = [];
    private readonly Dictionary<MetricFamily, Gauge> _gauges = [];

    public PullMetrics(CollectorRegistry registry, HistogramLayout? buckets = null)
    {
        buckets ??= HistogramLayout.Default;
        var factory = Metrics.WithCustomRegistry(registry);
        foreach (var f in RunnerMetrics.All)
        {
            switch (f.Type)
            {
                case MetricKind.Counter:
                    string[] names = f == RunnerMetrics.RequestsFailed ? [.. Labels, "reason"] : Labels;
                    _counters[f] = factory.CreateCounter(f.Name, f.Help, new CounterConfiguration { LabelNames = names });
                    break;
                case MetricKind.Histogram:
                    _histograms[f] = factory.CreateHistogram(f.Name, f.Help, new HistogramConfiguration { LabelNames = Labels, Buckets = [.. buckets.For(f)] });
                    break;
                default:
                    _gauges[f] = factory.CreateGauge(f.Name, f.Help, new GaugeConfiguration { LabelNames = f.Label is { } extra ? [.. Labels, extra] : Labels });
                    break;
            }
        }

        Up = factory.CreateGauge("guidellm_runner_up", "1 while the runner is serving.");
        SchedulerPaused = factory.CreateGauge("guidellm_scheduler_paused", "1 while the interval schedule of serve is paused through the control API.");
    }

    public Gauge Up { get; }

    /// <summary><c>guidellm_scheduler_paused</c>: 1 while no scheduled run starts.</summary>
    public Gauge SchedulerPaused { get; }

    /// <summary>The observer feeding the series of one target's run.</summary>
    public IRunObserver For(ResolvedTarget target) => new Observer(this, [target.Environment, target.Target.Name, target.Target.Model], RequestMetrics.CountedSlo(target.Settings));

    private sealed class Observer(PullMetrics m, string[] labels, Engine.Slo.SloObjectives? slo) : IRunObserver, IRequestMetricsSink
    {
        private Gauge.Child Gauge(MetricFamily family) => m._gauges[family].WithLabels(labels);

        public void OnStageStarted(StageContext stage)
        {
            foreach (var reason in FailureReasons.All)
            {
                m._counters[RunnerMetrics.RequestsFailed].WithLabels([.. labels, reason]);
            }

            Gauge(RunnerMetrics.InFlight).Set(0);
            if (slo is not null)
            {
                Gauge(RunnerMetrics.SloAttainmentTarget).Set(slo.Attainment);
            }
        }

        public void OnRequestStarted(StageContext stage) => Gauge(RunnerMetrics.InFlight).Set(stage.InFlight());

        public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase)
        {
            Gauge(RunnerMetrics.InFlight).Set(stage.InFlight());
            if (phase == RequestPhase.Measured)
            {
                RequestMetrics.Record(result, this, slo);
            }
        }

        public void OnStageCompleted(StageContext stage, BenchmarkReport report)
        {
            // The stage's own measured rate, set when the stage ends: a later stage replaces it only when it ends too.
            Gauge(RunnerMetrics.RequestsPerSecond).Set(report.Summary.Throughput.RequestsPerSecond);
            Gauge(RunnerMetrics.OutputTokensPerSecond).Set(report.Summary.Throughput.OutputTokensPerSecond);
            if (report.Validity is { } validity)
            {
                Gauge(RunnerMetrics.StageValid).Set(validity.Valid ? 1 : 0);
            }
        }

        public Task<RunReport> OnRunCompletedAsync(RunReport report, CancellationToken cancellationToken)
        {
            Add(RunnerMetrics.RunsTotal, 1);
            if (report.Status == RunStatus.Completed)
            {
                Gauge(RunnerMetrics.LastBenchmarkTimestamp).Set(report.EndedAt.ToUnixTimeMilliseconds() / 1000.0);
            }
            else
            {
                Add(RunnerMetrics.RunsFailed, 1);
            }

            foreach (var (family, labelValue, value) in RunOutcomeSeries.From(report))
            {
                m._gauges[family].WithLabels([.. labels, labelValue]).Set(value);
            }

            return Task.FromResult(report);
        }

        public void Add(MetricFamily family, double amount, string? reason = null) =>
            m._counters[family].WithLabels(reason is null ? labels : [.. labels, reason]).Inc(amount);

        public void Observe(MetricFamily family, double seconds) => m._histograms[family].WithLabels(labels).Observe(seconds);
    }
}
