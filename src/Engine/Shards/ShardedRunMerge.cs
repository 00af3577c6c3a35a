using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Shards;

/// <summary>
/// <c>guidellm-runner merge</c> over any report store (a local directory, the blob archive): finds the sharded runs by
/// the markers their shard reports left (<c>.runs/&lt;runId&gt;/&lt;env&gt;/&lt;target&gt;.shard-&lt;i&gt;-of-&lt;N&gt;</c>) and merges each
/// through the same atomic claim the workers use.
/// </summary>
internal static partial class ShardedRunMerge
{
    [GeneratedRegex(@"^\.runs/(?<run>[^/]+)/(?<env>[^/]+)/(?<target>[^/]+)\.shard-(?<i>\d+)-of-(?<n>\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ShardMarker();

    /// <summary>Merges every sharded run in <paramref name="store"/> (or only <paramref name="runId"/>).</summary>
    /// <param name="store">The report store.</param>
    /// <param name="runId">Only this run; null for all.</param>
    /// <param name="partial">Also merge runs whose shards did not all report, marking the merged report partial.</param>
    /// <param name="force">Merge again runs already merged or whose merge claim is held (their merged report and claim are removed first).</param>
    /// <param name="stagingDirectory">Where shard records are copied and the merged records assembled.</param>
    /// <param name="now">The time now, for the claim.</param>
    /// <param name="cancellationToken">Cancels the merge.</param>
    /// <returns>What became of each run and target, in words; empty when no shard report was found.</returns>
    public static async Task<IReadOnlyList<string>> MergeAsync(IReportStore store, string? runId, bool partial, bool force, string stagingDirectory, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store is not IShardArchive archive)
        {
            return [];
        }

        var runs = new SortedDictionary<(string RunId, string Environment, string Target, int Count), string>();
        foreach (var marker in await archive.ListRunMarkersAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            if (ShardMarker().Match(marker) is { Success: true } match)
            {
                runs.TryAdd((match.Groups["run"].Value, match.Groups["env"].Value, match.Groups["target"].Value, int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture)), marker);
            }
        }

        var outcomes = new List<string>();
        foreach (var ((run, environment, target, count), marker) in runs)
        {
            var path = (await archive.ReadTextAsync(marker, cancellationToken).ConfigureAwait(false))?.Content.Trim();
            var report = path is null ? null : await archive.ReadTextAsync(path, cancellationToken).ConfigureAwait(false);
            if (report is null || JsonSerializer.Deserialize(report.Content, ReportJsonContext.Default.RunReport)?.Shard is not { } shard)
            {
                outcomes.Add($"{environment}/{target}: run {run}: the shard report {path ?? marker} is missing or is not a shard report");
                continue;
            }

            if (force)
            {
                await ShardMerge.ForgetAsync(archive, run, environment, target, cancellationToken).ConfigureAwait(false);
            }

            var result = await ShardMerge.TryMergeAsync(store, run, environment, target, count, shard.StartAt, partial, stagingDirectory, now, takeOverAfter: null, cancellationToken).ConfigureAwait(false);
            outcomes.Add(result.Outcome);
        }

        return outcomes;
    }
}
