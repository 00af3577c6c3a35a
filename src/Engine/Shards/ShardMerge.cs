using System.Globalization;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Shards;

/// <summary>
/// Merges a sharded run of one target through its report store: when every shard report is saved (or, for the late check
/// and <c>merge --partial</c>, whatever came), one caller claims the merge atomically and saves <c>&lt;runId&gt;.json</c>
/// with the shards' per-request records concatenated beside it (gzip members one after another read as one stream).
/// Nothing is merged twice: a saved merged report, or a claim held by another caller, makes this a no-op.
/// </summary>
internal static class ShardMerge
{
    /// <summary>Merges run <paramref name="runId"/> of <paramref name="environment"/>/<paramref name="target"/> if this caller should.</summary>
    /// <param name="store">The run's report store; one that keeps no shard reports merges nothing.</param>
    /// <param name="runId">Run id.</param>
    /// <param name="environment">Environment.</param>
    /// <param name="target">Target name.</param>
    /// <param name="count">Shards of the run.</param>
    /// <param name="startAt">The shards' start time (it files their reports).</param>
    /// <param name="partial">Merge what came even when shards are missing (the late check).</param>
    /// <param name="stagingDirectory">Where the merged records file is assembled.</param>
    /// <param name="cancellationToken">Cancels reading; the save itself is not cancelled.</param>
    /// <returns>What happened, in words, and the saved report when this caller merged.</returns>
    public static async Task<(string Outcome, RunReport? Merged, ReportSaveResult? Saved)> TryMergeAsync(
        IReportStore store, string runId, string environment, string target, int count, DateTimeOffset startAt, bool partial, string stagingDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var name = $"{environment}/{target}";
        if (store is not IShardArchive archive)
        {
            return ($"{name}: the report store keeps no shard reports", null, null);
        }

        if (await store.HasRunAsync(runId, environment, target, cancellationToken).ConfigureAwait(false))
        {
            return ($"{name}: run {runId} is already merged", null, null);
        }

        var shards = new List<StoredShard>();
        try
        {
            for (var i = 1; i <= count; i++)
            {
                if (await archive.ReadShardAsync(environment, target, startAt, runId, i, count, stagingDirectory, cancellationToken).ConfigureAwait(false) is { } shard)
                {
                    shards.Add(shard);
                }
            }

            var missing = count - shards.Count;
            if (shards.Count == 0 || (missing > 0 && !partial))
            {
                return (string.Create(CultureInfo.InvariantCulture, $"{name}: {shards.Count} of {count} shard reports saved; not merged yet"), null, null);
            }

            if (!await archive.TryClaimMergeAsync(runId, environment, target, cancellationToken).ConfigureAwait(false))
            {
                return ($"{name}: another shard is merging run {runId}", null, null);
            }

            var merged = ShardMerger.Merge([.. shards.Select(s => s.Report)], count, startAt);
            Directory.CreateDirectory(stagingDirectory);
            var records = Path.Combine(stagingDirectory, $"{runId}.{environment}.{target}.merged{ReportLayout.RequestsSuffix}");
            var output = File.Create(records);
            await using (output.ConfigureAwait(false))
            {
                foreach (var file in shards.Select(s => s.RequestsFile).OfType<string>())
                {
                    var input = File.OpenRead(file);
                    await using (input.ConfigureAwait(false))
                    {
                        await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            var saved = await store.SaveAsync(merged with { RequestsFile = null }, records, CancellationToken.None).ConfigureAwait(false);
            File.Delete(records);
            var state = missing > 0 ? string.Create(CultureInfo.InvariantCulture, $"partial: {missing} of {count} shards missing") : string.Create(CultureInfo.InvariantCulture, $"{count} shards");
            return ($"{name}: run {runId} merged ({state}) to {saved.Location}", merged, saved);
        }
        finally
        {
            foreach (var shard in shards.Where(s => s.Temporary && s.RequestsFile is not null))
            {
                File.Delete(shard.RequestsFile!);
            }
        }
    }
}
