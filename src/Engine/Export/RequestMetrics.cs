using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Slo;

namespace GuidellmFunctions.Engine.Export;

/// <summary>How a finished request feeds the runner's series: the one mapping push (remote_write) and pull (/metrics) share.</summary>
public static class RequestMetrics
{
    /// <summary>
    /// The SLO the SLO counters hold a target's requests to: its <c>slo</c>, except in a capacity search, whose probes
    /// beyond the capacity miss it on purpose and would burn the error budget for nothing (its outcome is the capacity gauge).
    /// </summary>
    public static SloObjectives? CountedSlo(Configuration.BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Profile == Configuration.ProfileKind.Capacity ? null : settings.Get(Configuration.SettingsTable.Slo);
    }

    /// <summary>Adds <paramref name="result"/>'s counts and observations to <paramref name="sink"/>, and its standing against <paramref name="slo"/> when given.</summary>
    public static void Record(RequestResult result, IRequestMetricsSink sink, SloObjectives? slo = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add(RunnerMetrics.RequestsTotal, 1);
        if (slo?.Evaluate(result) is { } outcome and not SloOutcome.NotEvaluated)
        {
            sink.Add(RunnerMetrics.SloEvaluated, 1);
            sink.Add(RunnerMetrics.SloConforming, outcome == SloOutcome.Conforming ? 1 : 0);
        }

        sink.Observe(RunnerMetrics.DispatchDelay, result.DispatchDelayMs / 1000);
        if (result.Status == RequestStatus.Successful)
        {
            sink.Add(RunnerMetrics.RequestsSuccessful, 1);
            sink.Add(RunnerMetrics.PromptTokens, result.PromptTokens);
            sink.Add(RunnerMetrics.OutputTokens, result.OutputTokens);
            sink.Observe(RunnerMetrics.E2e, result.E2eMs / 1000);
            if (result.TtftMs is { } ttft)
            {
                sink.Observe(RunnerMetrics.Ttft, ttft / 1000);
            }

            if (result.TtfoMs is { } ttfo)
            {
                sink.Observe(RunnerMetrics.Ttfo, ttfo / 1000);
            }

            if (result.UsageReasoningTokens > 0)
            {
                sink.Add(RunnerMetrics.ReasoningTokens, result.UsageReasoningTokens);
            }

            if (result.TpotMs is { } tpot)
            {
                sink.Observe(RunnerMetrics.Tpot, tpot / 1000);
            }

            foreach (var gap in result.ItlMicros)
            {
                sink.Observe(RunnerMetrics.Itl, gap / 1e6);
            }
        }
        else if (result.Status == RequestStatus.Failed)
        {
            sink.Add(RunnerMetrics.RequestsFailed, 1, FailureReasons.Format(result.Reason ?? FailureReason.Protocol));
        }
    }
}
