using System.Globalization;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>
/// Compares a run with a baseline run on their per-request records: for each metric of
/// <see cref="VerdictMetricDefinition.All"/>, a block bootstrap interval of the relative change (jointly at
/// <see cref="Confidence"/>: each interval at 1 − 5%/metrics, Bonferroni). A metric is regressed or improved only when its
/// whole interval lies beyond the threshold (a minimum-effect test: confident that the change exceeds the threshold, not
/// only that there is one); the run is regressed when any metric is, else improved when any is, else unchanged.
/// </summary>
public static class VerdictJudge
{
    /// <summary>Joint confidence of a verdict's intervals.</summary>
    public const double Confidence = 0.95;

    /// <summary>
    /// Observations a latency quantile needs in each run on its short side to be compared: 40 values for a median, 400
    /// for a p95 (<see cref="VerdictMetricDefinition.MinimumCount"/>).
    /// </summary>
    public const int MinimumObservations = 20;

    /// <summary>The verdict of <paramref name="current"/> against <paramref name="baseline"/>, reading both runs' records.</summary>
    /// <param name="current">This run's report.</param>
    /// <param name="openCurrent">Opens this run's gzip records.</param>
    /// <param name="baseline">The baseline's report.</param>
    /// <param name="openBaseline">Opens the baseline's gzip records.</param>
    /// <param name="threshold">The smallest relative change called a regression or an improvement.</param>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <exception cref="InvalidDataException">A records file is not what the runner writes (named by line).</exception>
    public static async Task<VerdictReport> CompareAsync(RunReport current, Func<CancellationToken, Task<Stream>> openCurrent, RunReport baseline, Func<CancellationToken, Task<Stream>> openBaseline, double threshold, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(openCurrent);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(openBaseline);
        if (RunComparison.Incomparable(current, baseline) is { } why)
        {
            return Without(baseline.RunId, "incomparable", why, threshold);
        }

        var stages = RunComparison.MatchStages(current, baseline);
        var before = new BlockedSample([.. stages.Select(p => StageWindow.Of(p.Baseline))]);
        var after = new BlockedSample([.. stages.Select(p => StageWindow.Of(p.Current))]);
        await Task.WhenAll(ReadAsync(openBaseline, before, cancellationToken), ReadAsync(openCurrent, after, cancellationToken)).ConfigureAwait(false);

        var metrics = VerdictMetricDefinition.All
            .Where(m => m.Latency is not { } l || (before.Observations[l] >= m.MinimumCount && after.Observations[l] >= m.MinimumCount))
            .ToList();
        var left = VerdictMetricDefinition.All.Except(metrics).Select(m => $"{m.Name} (needs {m.MinimumCount})").ToList();
        if (metrics.All(m => m.Latency is null))
        {
            var least = VerdictMetricDefinition.All.Where(m => m.Latency is not null).Min(m => m.MinimumCount);
            return Without(baseline.RunId, "incomparable", $"too few successful requests to compare: {before.Observations[BlockedSample.E2e]} in the baseline, {after.Observations[BlockedSample.E2e]} in this run (at least {least} each)", threshold);
        }

        var alpha = (1 - Confidence) / metrics.Count;
        var estimates = BlockBootstrap.Run(before, after, metrics, alpha, BlockBootstrap.Seed(baseline.RunId, current.RunId));
        var results = estimates.Select(e => new VerdictMetric(e.Metric.Name, e.Baseline, e.Current, e.Change, e.Low, e.High, Decide(e, threshold))).ToList();
        var result = results.Any(r => r.Result == "regressed") ? "regressed" : results.Any(r => r.Result == "improved") ? "improved" : "unchanged";
        var decided = results.Where(r => r.Result == result && result != "unchanged").Select(r => Invariant($"{r.Name} {r.Change:+0.0%;-0.0%} (interval {r.Low:+0.0%;-0.0%} to {r.High:+0.0%;-0.0%})")).ToList();
        var reason = decided.Count > 0
            ? $"{result}: {string.Join("; ", decided)}"
            : Invariant($"no metric changed by more than {threshold:0.#%} with {Confidence:0%} confidence");
        if (left.Count > 0)
        {
            reason += $"; not compared (fewer than {MinimumObservations} values beyond the quantile in a run): {string.Join(", ", left)}";
        }

        return new VerdictReport(baseline.RunId, result, results, reason, threshold, Confidence);
    }

    /// <summary>A verdict without a comparison (<c>no_baseline</c> or <c>incomparable</c>).</summary>
    public static VerdictReport Without(string? baselineRunId, string result, string reason, double threshold) =>
        new(baselineRunId, result, [], reason, threshold, Confidence);

    private static string Decide(MetricEstimate e, double threshold)
    {
        var worse = e.Metric.HigherIsBetter ? e.High < -threshold : e.Low > threshold;
        var better = e.Metric.HigherIsBetter ? e.Low > threshold : e.High < -threshold;
        return worse ? "regressed" : better ? "improved" : "unchanged";
    }

    private static async Task ReadAsync(Func<CancellationToken, Task<Stream>> open, BlockedSample sample, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var stream = await open(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await RequestRecordReader.ReadAsync(stream, r => sample.Add(r), cancellationToken).ConfigureAwait(false);
        }

        sample.Seal();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
