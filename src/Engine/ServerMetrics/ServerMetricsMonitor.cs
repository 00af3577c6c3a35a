using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Diagnostics;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>
/// Reads a target's own metrics around each stage (<c>server_metrics</c>) and adds <c>benchmarks[].server</c> and
/// <c>clientMinusServer</c>. One instance per run of a target; a server without metrics gives a section saying so.
/// </summary>
internal sealed class ServerMetricsMonitor : IStageMonitor
{
    private readonly ServerMetricsSetting _setting;
    private readonly TimeProvider _time;
    private readonly Func<bool, HttpClient> _http;
    private readonly ILogger _logger;
    private ReadFailure? _hung;

    private ServerMetricsMonitor(ServerMetricsSetting setting, TimeProvider time, Func<bool, HttpClient> http, ILogger logger)
    {
        _setting = setting;
        _time = time;
        _http = http;
        _logger = logger;
    }

    /// <summary>The monitor of <paramref name="target"/>'s <c>server_metrics</c>; null when it is off.</summary>
    public static ServerMetricsMonitor? For(ResolvedTarget target, TimeProvider time, Func<bool, HttpClient> http, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(target);
        var setting = target.Settings.Get(SettingsTable.ServerMetrics);
        return setting.Kind == ServerMetricsKind.Off ? null : new ServerMetricsMonitor(setting, time, http, logger);
    }

    /// <summary>The selector a Prometheus source uses: the configured one, or the target's model as vLLM labels it.</summary>
    public static string Selector(ServerMetricsSetting setting, string model) =>
        setting.Selector ?? $"{{model_name=\"{model.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"}}";

    /// <inheritdoc />
    public async Task<IStageWatch?> BeginAsync(ResolvedTarget target, StagePlan plan, CancellationToken cancellationToken)
    {
        var http = _http(target.Settings.InsecureSkipVerify);
        if (_setting.Kind == ServerMetricsKind.Prometheus)
        {
            var client = new PrometheusQueryClient(http, _setting, _time);
            return new PrometheusStageWatch(client, _setting, target, plan, Selector(_setting, target.Target.Model), _time, _logger);
        }

        var own = _setting.Kind == ServerMetricsKind.Target;
        var reader = new MetricsEndpointReader(http, own ? MetricsEndpointReader.TargetMetrics(target.Target.Url) : _setting.Url!, _setting, own ? target.Target : null, _time);
        var section = new ServerReport { Source = own ? "target" : "url", Endpoint = reader.Endpoint };
        if (_hung is { } hung)
        {
            return Unavailable(section, target, plan, $"not read: an earlier read got no answer ({hung.Message})");
        }

        var (before, failure) = await reader.ReadAsync(target.Target.Model, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            _hung = failure.TimedOut ? failure : null;
            return Unavailable(section, target, plan, failure.Message);
        }

        return new ScrapeStageWatch(reader, section, before!, target, plan, ReadInterval(_setting, plan), _time, _logger);
    }

    /// <summary>
    /// Time between reads during a stage: the setting's, shortened so a stage of known length is read about five times
    /// (the gauges' peaks need readings inside it), never below a second.
    /// </summary>
    internal static TimeSpan ReadInterval(ServerMetricsSetting setting, StagePlan plan) =>
        plan.MaxDuration is { } length && length / 5 < setting.Interval
            ? TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, (length / 5).Ticks))
            : setting.Interval;

    private FixedSectionWatch Unavailable(ServerReport section, ResolvedTarget target, StagePlan plan, string why)
    {
        Log.ServerMetricsUnavailable(_logger, target.Environment, target.Target.Name, plan.Index, why);
        return new FixedSectionWatch(section with { Available = false, Error = why });
    }

    /// <summary>Notes worth a log line, once per stage.</summary>
    internal static void LogNotes(ILogger logger, ResolvedTarget target, StagePlan plan, ServerReport server)
    {
        foreach (var note in server.Notes ?? [])
        {
            Log.ServerMetricsNote(logger, target.Environment, target.Target.Name, plan.Index, note);
        }
    }

    /// <summary>Requests the runner sent in a stage, every phase and outcome.</summary>
    internal static long Sent(BenchmarkReport report) =>
        report.Summary.Requests.Total + report.Summary.Requests.ExcludedWarmup + report.Summary.Requests.ExcludedCooldown;

    /// <summary>A stage whose section is known before it starts (the metrics could not be read).</summary>
    private sealed class FixedSectionWatch(ServerReport section) : IStageWatch
    {
        public void Started(StageContext stage)
        {
        }

        public Task<BenchmarkReport> CompleteAsync(BenchmarkReport report, CancellationToken cancellationToken) =>
            Task.FromResult(report with { Server = section });

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
