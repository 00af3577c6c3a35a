using System.Text.Json;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>Whether two runs can be compared, and which of their stages ran the same load.</summary>
internal static class RunComparison
{
    /// <summary>The report fields that make up "the data": what is asked of the server.</summary>
    private static readonly string[] DataFields = ["dataSpec", "dataset", "requestType", "maxTokens", "ignoreEos"];

    /// <summary>Settings that change neither the load nor the data, left out when looking for a baseline of the same effective config.</summary>
    private static readonly HashSet<string> NotLoad = new(StringComparer.Ordinal) { "slo", "baselineRunId", "regressionThreshold", "intervalSeconds" };

    /// <summary>Why <paramref name="current"/> cannot be compared with <paramref name="baseline"/>; null when it can.</summary>
    public static string? Incomparable(RunReport current, RunReport baseline)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(baseline);
        if (current.Target != baseline.Target)
        {
            return $"different targets: {current.Target} and baseline {baseline.Target}";
        }

        if (current.Model != baseline.Model)
        {
            return $"different models: {current.Model} and baseline {baseline.Model}";
        }

        if (Text(current, "profile") is var profile && profile != Text(baseline, "profile"))
        {
            return $"different profiles: {profile} and baseline {Text(baseline, "profile")}";
        }

        foreach (var field in DataFields)
        {
            if (!Same(current, baseline, field))
            {
                return $"different data: {field} {Text(current, field)} and baseline {Text(baseline, field)}";
            }
        }

        foreach (var (report, which) in (ReadOnlySpan<(RunReport, string)>)[(baseline, "the baseline"), (current, "this")])
        {
            if (report.Status != RunStatus.Completed)
            {
                return $"{which} run ({report.RunId}) did not complete: {ReportNames.Of(report.Status)}";
            }
        }

        var stages = MatchStages(current, baseline);
        if (stages.Count == 0)
        {
            return "no stage of the baseline ran the same load (profile, rate or streams) as one of this run's";
        }

        foreach (var (before, after) in stages)
        {
            foreach (var (stage, which) in (ReadOnlySpan<(BenchmarkReport, string)>)[(before, "the baseline's"), (after, "this run's")])
            {
                if (stage.Validity is { Valid: false } validity)
                {
                    return $"{which} stage {stage.Index} was not valid, the runner itself may have limited what it measured: {string.Join("; ", validity.Reasons)}";
                }
            }
        }

        return null;
    }

    /// <summary>True when every stage of <paramref name="report"/> was valid (or was not judged): a run that can be a baseline.</summary>
    public static bool AllStagesValid(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Benchmarks.All(b => b.Validity is not { Valid: false });
    }

    /// <summary>True when both runs have the same endpoint, header names and settings, bar those that change neither load nor data.</summary>
    public static bool SameEffectiveConfig(RunReport a, RunReport b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Config.Endpoint != b.Config.Endpoint || !a.Config.Headers.Order(StringComparer.Ordinal).SequenceEqual(b.Config.Headers.Order(StringComparer.Ordinal)))
        {
            return false;
        }

        // A setting only one of the reports has was added or removed by an upgrade: it is not a difference of config.
        return a.Config.Settings.Keys.Intersect(b.Config.Settings.Keys).Where(k => !NotLoad.Contains(k)).All(k => Same(a, b, k));
    }

    /// <summary>Each stage of <paramref name="current"/> with the baseline stage of the same profile kind and load, in the current run's order.</summary>
    public static IReadOnlyList<(BenchmarkReport Baseline, BenchmarkReport Current)> MatchStages(RunReport current, RunReport baseline)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(baseline);
        var free = baseline.Benchmarks.ToList();
        var pairs = new List<(BenchmarkReport, BenchmarkReport)>();
        foreach (var stage in current.Benchmarks)
        {
            var match = free.FirstOrDefault(b => SameLoad(b.Profile, stage.Profile));
            if (match is not null)
            {
                free.Remove(match);
                pairs.Add((match, stage));
            }
        }

        return pairs;
    }

    private static bool SameLoad(ProfileReport a, ProfileReport b) =>
        a.Kind == b.Kind && a.Streams == b.Streams && Near(a.Rate, b.Rate) && a.MaxConcurrency == b.MaxConcurrency;

    private static bool Near(double? a, double? b) => (a, b) switch
    {
        (null, null) => true,
        ({ } x, { } y) => Math.Abs(x - y) <= 1e-9 * Math.Max(Math.Abs(x), Math.Abs(y)),
        _ => false,
    };

    private static bool Same(RunReport a, RunReport b, string field)
    {
        // A field a report lacks (written before the setting existed) counts as null.
        var inA = a.Config.Settings.TryGetValue(field, out var x) && x.ValueKind != JsonValueKind.Null;
        var inB = b.Config.Settings.TryGetValue(field, out var y) && y.ValueKind != JsonValueKind.Null;
        return inA == inB && (!inA || JsonElement.DeepEquals(x, y));
    }

    private static string Text(RunReport report, string field) =>
        report.Config.Settings.TryGetValue(field, out var value) ? (value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()) : "(none)";
}
