using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using Prometheus;

namespace GuidellmFunctions.Cli.Serving;

/// <summary>
/// The runner's series for pull mode (<c>serve</c>): the same names, labels and buckets as the remote_write push, but
/// cumulative over the life of the process, as scraped counters are. Thread-safe.
/// </summary>
internal sealed class PullMetrics
{
    private static readonly string[] Labels = ["environment", "target", "model"];

    private readonly Counter _requests;
    private readonly Counter _successful;
    private readonly Counter _failed;
    private readonly Counter _promptTokens;
    private readonly Counter _outputTokens;
    private readonly Counter _runs;
    private readonly Counter _runsFailed;
    private readonly Histogram _ttft;
    private readonly Histogram _itl;
    private readonly Histogram _e2e;
    private readonly Histogram _tpot;
    private readonly Histogram _dispatch;
    private readonly Gauge _requestsPerSecond;
    private readonly Gauge _outputTokensPerSecond;
    private readonly Gauge _lastBenchmark;
    private readonly Gauge _inFlight;

    public PullMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        Counter C(MetricFamily f, params string[] extra) => factory.CreateCounter(f.Name, f.Help, new CounterConfiguration { LabelNames = [.. Labels, .. extra] });
        Histogram H(MetricFamily f) => factory.CreateHistogram(f.Name, f.Help, new HistogramConfiguration { LabelNames = Labels, Buckets = [.. f.Buckets!] });
        Gauge G(MetricFamily f) => factory.CreateGauge(f.Name, f.Help, new GaugeConfiguration { LabelNames = Labels });
        _requests = C(RunnerMetrics.RequestsTotal);
        _successful = C(RunnerMetrics.RequestsSuccessful);
        _failed = C(RunnerMetrics.RequestsFailed, "reason");
        _promptTokens = C(RunnerMetrics.PromptTokens);
        _outputTokens = C(RunnerMetrics.OutputTokens);
        _runs = C(RunnerMetrics.RunsTotal);
        _runsFailed = C(RunnerMetrics.RunsFailed);
        _ttft = H(RunnerMetrics.Ttft);
        _itl = H(RunnerMetrics.Itl);
        _e2e = H(RunnerMetrics.E2e);
        _tpot = H(RunnerMetrics.Tpot);
        _dispatch = H(RunnerMetrics.DispatchDelay);
        _requestsPerSecond = G(RunnerMetrics.RequestsPerSecond);
        _outputTokensPerSecond = G(RunnerMetrics.OutputTokensPerSecond);
        _lastBenchmark = G(RunnerMetrics.LastBenchmarkTimestamp);
        _inFlight = G(RunnerMetrics.InFlight);
        Up = factory.CreateGauge("guidellm_runner_up", "1 while the runner is serving.");
    }

    public Gauge Up { get; }

    /// <summary>The observer feeding the series of one target's run.</summary>
    public IRunObserver For(Engine.Configuration.ResolvedTarget target) => new Observer(this, [target.Environment, target.Target.Name, target.Target.Model]);

    private sealed class Observer(PullMetrics m, string[] labels) : IRunObserver
    {
        public void OnStageStarted(StageContext stage)
        {
            foreach (var reason in FailureReasons.All)
            {
                m._failed.WithLabels([.. labels, reason]);
            }

            m._inFlight.WithLabels(labels).Set(0);
        }

        public void OnRequestStarted(StageContext stage) => m._inFlight.WithLabels(labels).Set(stage.InFlight());

        public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase)
        {
            m._inFlight.WithLabels(labels).Set(stage.InFlight());
            if (phase != RequestPhase.Measured)
            {
                return;
            }

            m._requests.WithLabels(labels).Inc();
            m._dispatch.WithLabels(labels).Observe(result.DispatchDelayMs / 1000);
            if (result.Status == RequestStatus.Successful)
            {
                m._successful.WithLabels(labels).Inc();
                m._promptTokens.WithLabels(labels).Inc(result.PromptTokens);
                m._outputTokens.WithLabels(labels).Inc(result.OutputTokens);
                m._e2e.WithLabels(labels).Observe(result.E2eMs / 1000);
                if (result.TtftMs is { } ttft)
                {
                    m._ttft.WithLabels(labels).Observe(ttft / 1000);
                }

                if (result.TpotMs is { } tpot)
                {
                    m._tpot.WithLabels(labels).Observe(tpot / 1000);
                }

                var itl = m._itl.WithLabels(labels);
                foreach (var gap in result.ItlMicros)
                {
                    itl.Observe(gap / 1e6);
                }
            }
            else if (result.Status == RequestStatus.Failed)
            {
                m._failed.WithLabels([.. labels, FailureReasons.Format(result.Reason ?? FailureReason.Protocol)]).Inc();
            }
        }

        public void OnStageCompleted(StageContext stage, BenchmarkReport report)
        {
            // Per stage, not overwritten by a later sub-benchmark mid-stage: the value is the stage's own measured rate.
            m._requestsPerSecond.WithLabels(labels).Set(report.Summary.Throughput.RequestsPerSecond);
            m._outputTokensPerSecond.WithLabels(labels).Set(report.Summary.Throughput.OutputTokensPerSecond);
        }

        public Task<RunReport> OnRunCompletedAsync(RunReport report, CancellationToken cancellationToken)
        {
            m._runs.WithLabels(labels).Inc();
            if (report.Status == "completed")
            {
                m._lastBenchmark.WithLabels(labels).Set(report.EndedAt.ToUnixTimeMilliseconds() / 1000.0);
            }
            else
            {
                m._runsFailed.WithLabels(labels).Inc();
            }

            return Task.FromResult(report);
        }
    }
}
