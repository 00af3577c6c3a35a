using System.Globalization;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>
/// One stage seen through a Prometheus-compatible query API that scrapes the server. After the stage it waits (up to
/// <see cref="ScrapeWait"/>) for the first scrape past the stage's end, so the counters' difference holds every request
/// of the stage and none of the next; then reads the counters at the stage's start and at that scrape, the state
/// gauges' stored samples in between, and DCGM's GPU series when a <c>gpu_selector</c> is set.
/// </summary>
internal sealed class PrometheusStageWatch : IStageWatch
{
    /// <summary>Longest wait for a scrape after the stage's end.</summary>
    public static readonly TimeSpan ScrapeWait = TimeSpan.FromSeconds(60);

    /// <summary>Time between two looks for that scrape.</summary>
    public static readonly TimeSpan ScrapePoll = TimeSpan.FromMilliseconds(500);

    private readonly PrometheusQueryClient _client;
    private readonly ServerMetricsSetting _setting;
    private readonly ResolvedTarget _target;
    private readonly StagePlan _plan;
    private readonly string _selector;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public PrometheusStageWatch(PrometheusQueryClient client, ServerMetricsSetting setting, ResolvedTarget target, StagePlan plan, string selector, TimeProvider time, ILogger logger)
    {
        _client = client;
        _setting = setting;
        _target = target;
        _plan = plan;
        _selector = selector;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public void Started(StageContext stage)
    {
    }

    /// <inheritdoc />
    public async Task<BenchmarkReport> CompleteAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        var section = new ServerReport { Source = "prometheus", Endpoint = _client.Endpoint };
        try
        {
            var server = await ReadAsync(section, report, cancellationToken).ConfigureAwait(false);
            ServerMetricsMonitor.LogNotes(_logger, _target, _plan, server);
            return report with { Server = server, ClientMinusServer = ServerFigures.ClientMinusServer(report.Summary, server) };
        }
        catch (PrometheusQueryException ex)
        {
            Diagnostics.Log.ServerMetricsUnavailable(_logger, _target.Environment, _target.Target.Name, _plan.Index, ex.Message);
            return report with { Server = section with { Available = false, Error = ex.Message } };
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>A selector of the series named <paramref name="names"/> among those <paramref name="selector"/> picks.</summary>
    internal static string Select(IEnumerable<string> names, string selector)
    {
        var matchers = selector.Trim()[1..^1].Trim().TrimEnd(',');
        return $"{{__name__=~\"{string.Join('|', names)}\"{(matchers.Length > 0 ? ", " + matchers : string.Empty)}}}";
    }

    /// <summary>The state gauges' peaks over stored samples: at each sample time, every series' latest value.</summary>
    internal static GaugePeaks Peaks(IReadOnlyList<PromSeries> series, DateTimeOffset from, DateTimeOffset to, string model)
    {
        var peaks = new GaugePeaks();
        foreach (var step in Steps(series, from, to))
        {
            peaks.Observe(MetricSnapshot.From([.. step.Select(p => p.Series.Sample(p.Index))], model));
        }

        return peaks;
    }

    /// <summary>The GPUs' figures over a stage from DCGM's stored samples.</summary>
    internal static GpuReport? Gpu(IReadOnlyList<PromSeries> series, DateTimeOffset from, DateTimeOffset to, double stageSeconds, long? outputTokens)
    {
        var utilization = series.Where(s => s.Name == ServerMetricNames.GpuUtilization).ToList();
        var power = series.Where(s => s.Name == ServerMetricNames.GpuPower).ToList();
        var energy = series.Where(s => s.Name == ServerMetricNames.GpuEnergy).ToList();
        var count = new[] { utilization.Count, power.Count, energy.Count }.Max();
        if (count == 0)
        {
            return null;
        }

        var inStage = utilization.SelectMany(s => s.Samples).Where(s => s.At >= from && s.At <= to && double.IsFinite(s.Value)).Select(s => s.Value).ToList();
        double? powerMean = null;
        if (power.Count > 0)
        {
            var sums = Steps(power, from, to).Select(step => step.Sum(p => p.Series.Samples[p.Index].Value is var w && double.IsFinite(w) ? w : 0)).ToList();
            powerMean = sums.Count > 0 ? sums.Average() : null;
        }

        double? joules = null;
        var spans = energy.Select(s => s.Samples.Where(p => p.At >= from && double.IsFinite(p.Value)).ToList()).Where(s => s.Count >= 2).ToList();
        if (spans.Count > 0)
        {
            // DCGM counts millijoules since the driver loaded; the samples around the stage are scaled to its length.
            joules = spans.Sum(s => (s[^1].Value - s[0].Value) / 1000 * (stageSeconds / Math.Max(1e-9, (s[^1].At - s[0].At).TotalSeconds)));
        }
        else if (powerMean is { } watts)
        {
            joules = watts * stageSeconds;
        }

        return new GpuReport(
            count,
            inStage.Count > 0 ? inStage.Average() : null,
            inStage.Count > 0 ? inStage.Max() : null,
            powerMean,
            joules,
            joules is { } j && outputTokens is > 0 ? j / outputTokens.Value : null);
    }

    /// <summary>For each sample time in [<paramref name="from"/>, <paramref name="to"/>], each series' latest sample at or before it.</summary>
    private static IEnumerable<List<(PromSeries Series, int Index)>> Steps(IReadOnlyList<PromSeries> series, DateTimeOffset from, DateTimeOffset to)
    {
        var times = series.SelectMany(s => s.Samples).Select(s => s.At).Where(t => t >= from && t <= to).Distinct().Order().ToList();
        var next = new int[series.Count];
        foreach (var at in times)
        {
            var step = new List<(PromSeries, int)>(series.Count);
            for (var i = 0; i < series.Count; i++)
            {
                while (next[i] < series[i].Samples.Count && series[i].Samples[next[i]].At <= at)
                {
                    next[i]++;
                }

                if (next[i] > 0)
                {
                    step.Add((series[i], next[i] - 1));
                }
            }

            yield return step;
        }
    }

    private static MetricSnapshot Snapshot(IReadOnlyList<PromSeries> series, string model) =>
        MetricSnapshot.From(series.Where(s => s.Samples.Count > 0).Select(s => s.Sample(s.Samples.Count - 1)), model);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private async Task<ServerReport> ReadAsync(ServerReport section, BenchmarkReport report, CancellationToken cancellationToken)
    {
        var model = _target.Target.Model;
        var (start, end) = (report.StartedAt, report.EndedAt);
        var all = Select(ServerMetricNames.ServerSeries, _selector);
        var (afterAt, latest) = await WaitForScrapeAsync(end, cancellationToken).ConfigureAwait(false);
        var notes = new List<string>();
        if (latest < end)
        {
            notes.Add($"no scrape after the stage's end ({Time(end)}) within {ScrapeWait.TotalSeconds:0}s: the last, at {Time(latest)}, misses the stage's last {(end - latest).TotalSeconds:0.#}s");
        }

        // Not the run's token from here: a cancelled run still gets the stage's figures, each query bounded by its timeout.
        var before = Snapshot(await _client.QueryAsync(all, start, CancellationToken.None).ConfigureAwait(false), model);
        var after = Snapshot(await _client.QueryAsync(all, afterAt, CancellationToken.None).ConfigureAwait(false), model);
        var range = $"[{Math.Ceiling((afterAt - start).TotalSeconds + 1).ToString(CultureInfo.InvariantCulture)}s]";
        var gauges = await _client.QueryAsync(Select(ServerMetricNames.Gauges, _selector) + range, afterAt, CancellationToken.None).ConfigureAwait(false);
        var server = ServerFigures.Compute(section with { Notes = notes.Count > 0 ? notes : null }, before, after, Peaks(gauges, start, afterAt, model), ServerMetricsMonitor.Sent(report));
        if (_setting.GpuSelector is not { } gpuSelector)
        {
            return server;
        }

        var dcgm = await _client.QueryAsync(Select([ServerMetricNames.GpuUtilization, ServerMetricNames.GpuPower, ServerMetricNames.GpuEnergy], gpuSelector) + range, afterAt, CancellationToken.None).ConfigureAwait(false);
        var gpu = Gpu(dcgm, start, end, report.DurationSeconds, server.OutputTokens ?? report.Summary.Tokens.Output);
        return gpu is not null ? server with { Gpu = gpu }
            : server with { Notes = [.. server.Notes ?? [], $"no DCGM series match gpu_selector {gpuSelector}"] };
    }

    /// <summary>
    /// Waits until every scraped instance the selector matches has a sample at or after <paramref name="end"/>; returns
    /// the time to read "after" at and the latest scrape seen. Fails at once when nothing matches.
    /// </summary>
    private async Task<(DateTimeOffset At, DateTimeOffset Latest)> WaitForScrapeAsync(DateTimeOffset end, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + ScrapeWait;
        // timestamp() gives a sample's own time only over a plain selector, and drops the name: series of two names could
        // then collide, so it is taken of each dialect's running gauge apart (one name each, present on every server).
        var query = $"min(max by (job, instance) ({string.Join(" or ", ServerMetricNames.Running.Select(n => $"timestamp({Select([n], _selector)})"))}))";
        while (true)
        {
            var now = _time.GetUtcNow();
            var result = await _client.QueryAsync(query, now, CancellationToken.None).ConfigureAwait(false);
            if (result.Count == 0 || result[0].Samples.Count == 0)
            {
                throw new PrometheusQueryException($"query API {_client.Endpoint}: no series of vLLM, SGLang or TGI match {_selector}");
            }

            var latest = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(result[0].Samples[0].Value * 1000));
            if (latest >= end || now >= deadline || cancellationToken.IsCancellationRequested)
            {
                return (now, latest);
            }

            try
            {
                await Task.Delay(ScrapePoll, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return (_time.GetUtcNow(), latest);
            }
        }
    }
}
