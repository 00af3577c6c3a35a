using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Shards;

/// <summary>
/// <c>guidellm-runner merge</c>: merges the sharded runs found in a local report directory (shard reports
/// <c>&lt;runId&gt;.shard-&lt;i&gt;-of-&lt;N&gt;.json</c>), through the same atomic claim the workers use.
/// </summary>
public static partial class LocalShardMerge
{
    [GeneratedRegex(@"^(?<run>.+)\.shard-(?<i>\d+)-of-(?<n>\d+)\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex ShardFile();

    /// <summary>Merges every sharded run under <paramref name="root"/> (or only <paramref name="runId"/>).</summary>
    /// <param name="root">The report directory (the layout of <c>run --output</c> and the worker's output).</param>
    /// <param name="runId">Only this run; null for all.</param>
    /// <param name="partial">Also merge runs whose shards did not all report, marking the merged report partial.</param>
    /// <param name="force">Merge again runs already merged (their merged report is replaced).</param>
    /// <param name="cancellationToken">Cancels the merge.</param>
    /// <returns>What became of each run and target, in words; empty when no shard report was found.</returns>
    public static async Task<IReadOnlyList<string>> MergeAsync(string root, string? runId, bool partial, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var store = new LocalReportStore(root);
        if (!Directory.Exists(store.Root))
        {
            throw new DirectoryNotFoundException($"{store.Root} does not exist");
        }

        var runs = new Dictionary<(string RunId, string Environment, string Target, int Count), string>();
        foreach (var path in Directory.EnumerateFiles(store.Root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(store.Root, path).Replace('\\', '/');
            var parts = relative.Split('/');
            if (parts.Length != 6 || parts[0].StartsWith('.') || ShardFile().Match(parts[5]) is not { Success: true } match)
            {
                continue;
            }

            var key = (match.Groups["run"].Value, parts[0], parts[1], int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture));
            if ((runId is null || key.Item1 == runId) && !runs.ContainsKey(key))
            {
                runs[key] = path;
            }
        }

        var outcomes = new List<string>();
        var staging = Path.Combine(store.Root, ".staging");
        foreach (var ((run, environment, target, count), path) in runs)
        {
            RunReport? report;
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                report = await JsonSerializer.DeserializeAsync(stream, ReportJsonContext.Default.RunReport, cancellationToken).ConfigureAwait(false);
            }

            if (report?.Shard is not { } shard)
            {
                outcomes.Add($"{path}: not a shard report (no shard)");
                continue;
            }

            if (force)
            {
                store.ForgetMerge(run, environment, target);
            }

            var (outcome, _, _) = await ShardMerge.TryMergeAsync(store, run, environment, target, count, shard.StartAt, partial, staging, cancellationToken).ConfigureAwait(false);
            outcomes.Add(outcome);
        }

        return outcomes;
    }
}
