using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Capacity;

/// <summary>
/// Runs a capacity search: one stage (probe) per load that <see cref="CapacitySearch"/> asks for, each bounded like any
/// stage and watched by an <see cref="OverSaturationDetector"/>. A probe passes when its stage meets the SLO's attainment
/// and ran its course (not stopped for over-saturation, errors or cancellation).
/// </summary>
internal sealed partial class CapacityRunner(StageRunner stages, TimeProvider time, ILogger logger)
{
    /// <summary>Runs the search for <paramref name="target"/>, adding each probe's stage to <paramref name="benchmarks"/>.</summary>
    public async Task<CapacityReport> RunAsync(string runId, ResolvedTarget target, IRequestSource source, IReadOnlyList<IRunObserver> observers, List<BenchmarkReport> benchmarks, CancellationToken cancellationToken)
    {
        var settings = target.Settings;
        var slo = settings.Get(SettingsTable.Slo) ?? throw new InvalidOperationException("a capacity search needs an slo (checked when the config is read)");
        var by = settings.Get(SettingsTable.CapacityBy);
        var search = new CapacitySearch(by, settings.Rate, settings.Get(SettingsTable.CapacityTolerance), settings.Get(SettingsTable.CapacityMaxProbes));
        var probes = new List<CapacityProbe>();
        while (search.Next() is { } load)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                search.Stop("cancelled");
                break;
            }

            var plan = StagePlan.Create(settings, benchmarks.Count, by == CapacityBy.Concurrency ? ProfileKind.Concurrent : ProfileKind.Constant, load);
            var detector = new OverSaturationDetector(time, OverSaturationDetector.MinimumFor(plan.MaxDuration));
            var stage = await stages.RunAsync(runId, target, plan, source, [.. observers, detector], cancellationToken).ConfigureAwait(false);
            benchmarks.Add(stage);
            var met = stage.Summary.Slo?.Met == true && stage.StopReason is "max_seconds" or "max_requests";
            probes.Add(new CapacityProbe(load, stage.Summary.Slo?.Attainment, met, stage.StopReason, stage.Index, stage.StopDetail));
            LogProbe(logger, target.Environment, target.Target.Name, load, stage.Summary.Slo?.Attainment, met, stage.StopReason, stage.StopDetail ?? string.Empty);
            if (stage.StopReason == "cancelled")
            {
                search.Stop("cancelled");
                break;
            }

            search.Record(load, met);
        }

        var report = new CapacityReport(CapacityByNames.Names.Format(by), search.Max, search.FirstFailing, slo.Attainment, probes, search.EndReason ?? "cancelled");
        LogFound(logger, target.Environment, target.Target.Name, report.By, report.Max, report.FirstFailing, probes.Count, report.EndReason);
        return report;
    }

    [LoggerMessage(2301, LogLevel.Information, "Capacity probe of {Environment}/{Target} at {Load}: attainment {Attainment}, {Outcome} ({StopReason}) {Detail}")]
    private static partial void LogProbe(ILogger logger, string environment, string target, double load, double? attainment, bool outcome, string stopReason, string detail);

    [LoggerMessage(2302, LogLevel.Information, "Capacity of {Environment}/{Target} by {By}: {Max} (first failing {FirstFailing}) after {Probes} probes, ended by {EndReason}")]
    private static partial void LogFound(ILogger logger, string environment, string target, string by, double? max, double? firstFailing, int probes, string endReason);
}
