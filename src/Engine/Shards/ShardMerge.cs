using System.Globalization;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Shards;

/// <summary>
/// Merges a sharded run of one target through its report store: when every shard report is saved (or, for the late check
/// and <c>merge --partial</c>, whatever came), one caller claims the merge atomically and saves <c>&lt;runId&gt;.json</c>
/// with the shards' per-request records concatenated beside it (gzip members one after another read as one stream).
/// Nothing is merged twice: a saved merged report, or a claim held by another caller, makes this a no-op. A claim
/// taken longer ago than <c>takeOverAfter</c> with still no merged report is stale (its merger crashed): the late check
/// and <c>merge --force</c> take it over with a conditional replace, so of several only one does.
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
    /// <param name="now">The time now, for the claim and its staleness.</param>
    /// <param name="takeOverAfter">How old a merge claim must be, with no merged report, to be taken over; null never to take one over.</param>
    /// <param name="cancellationToken">Cancels reading; the save itself is not cancelled.</param>
    /// <returns>What happened, in words, the saved report when this caller merged, and when to look again when a claim held by another may turn stale.</returns>
    public static async Task<ShardMergeResult> TryMergeAsync(
        IReportStore store, string runId, string environment, string target, int count, DateTimeOffset startAt, bool partial, string stagingDirectory, DateTimeOffset now, TimeSpan? takeOverAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var name = $"{environment}/{target}";
        if (store is not IShardArchive archive)
        {
            return new($"{name}: the report store keeps no shard reports", null, null);
        }

        if (await store.HasRunAsync(runId, environment, target, cancellationToken).ConfigureAwait(false))
        {
            return new($"{name}: run {runId} is already merged", null, null);
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

            var absent = Enumerable.Range(1, count).Where(i => shards.All(s => s.Report.Shard?.Index != i)).ToList();
            if (shards.Count == 0 || (absent.Count > 0 && !partial))
            {
                return new(string.Create(CultureInfo.InvariantCulture, $"{name}: {shards.Count} of {count} shard reports saved (missing: shard {string.Join(", ", absent)}); not merged yet"), null, null);
            }

            var claimPath = ReportLayout.MergeClaimPath(runId, environment, target);
            var takenOver = string.Empty;
            if (!await archive.TryCreateAsync(claimPath, ShardClaims.Holder(now), cancellationToken).ConfigureAwait(false))
            {
                var claim = await archive.ReadTextAsync(claimPath, cancellationToken).ConfigureAwait(false);
                var held = claim is null ? string.Empty : " (claimed " + ShardClaims.Describe(claim) + ")";
                if (takeOverAfter is not { } after || claim is null)
                {
                    return new($"{name}: another shard is merging run {runId}{held}", null, null);
                }

                var staleAt = ShardClaims.TakenAt(claim) + after;
                if (now < staleAt)
                {
                    return new($"{name}: another caller is merging run {runId}{held}; taken over if still unmerged at {staleAt.UtcDateTime:O}", null, null) { RetryAt = staleAt };
                }

                if (await store.HasRunAsync(runId, environment, target, cancellationToken).ConfigureAwait(false)
                    || !await archive.TryReplaceAsync(claimPath, claim, ShardClaims.Holder(now), cancellationToken).ConfigureAwait(false))
                {
                    return new($"{name}: another caller took the merge of run {runId} first", null, null);
                }

                takenOver = $"; took over the stale claim{held}";
            }

            var lost = new Dictionary<int, string>();
            foreach (var i in absent)
            {
                if (await archive.ReadTextAsync(ShardClaims.StartPath(runId, environment, target, i, count), cancellationToken).ConfigureAwait(false) is { } started)
                {
                    lost[i] = ShardClaims.Describe(started);
                }
            }

            var merged = ShardMerger.Merge([.. shards.Select(s => s.Report)], count, startAt, lost);
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
            var state = absent.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $"partial: shard {string.Join(", ", absent)} of {count} missing") : string.Create(CultureInfo.InvariantCulture, $"{count} shards");
            return new($"{name}: run {runId} merged ({state}) to {saved.Location}{takenOver}", merged, saved);
        }
        finally
        {
            foreach (var shard in shards.Where(s => s.Temporary && s.RequestsFile is not null))
            {
                File.Delete(shard.RequestsFile!);
            }
        }
    }

    /// <summary>
    /// Removes run <paramref name="runId"/>'s merged report of <paramref name="environment"/>/<paramref name="target"/> (with its
    /// records and page), its marker and its merge claim, so that <c>merge --force</c> merges it again.
    /// </summary>
    public static async Task ForgetAsync(IShardArchive archive, string runId, string environment, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var marker = ReportLayout.RunMarkerPath(runId, environment, target);
        if (await archive.ReadTextAsync(marker, cancellationToken).ConfigureAwait(false) is { } report)
        {
            var path = report.Content.Trim();
            foreach (var file in new[] { path, ReportLayout.RequestsPath(path), ReportLayout.PagePath(path), marker })
            {
                await archive.DeleteAsync(file, cancellationToken).ConfigureAwait(false);
            }
        }

        await archive.DeleteAsync(ReportLayout.MergeClaimPath(runId, environment, target), cancellationToken).ConfigureAwait(false);
    }
}
