using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Shards;

/// <summary>
/// <c>guidellm-runner merge DIR</c>: merges the sharded runs found in a local report directory (shard reports
/// <c>&lt;runId&gt;.shard-&lt;i&gt;-of-&lt;N&gt;.json</c>), through the same atomic claim the workers use.
/// </summary>
public static class LocalShardMerge
{
    /// <summary>Merges every sharded run under <paramref name="root"/> (or only <paramref name="runId"/>).</summary>
    /// <param name="root">The report directory (the layout of <c>run --output</c> and the worker's output).</param>
    /// <param name="runId">Only this run; null for all.</param>
    /// <param name="partial">Also merge runs whose shards did not all report, marking the merged report partial.</param>
    /// <param name="force">Merge again runs already merged (their merged report is replaced).</param>
    /// <param name="cancellationToken">Cancels the merge.</param>
    /// <returns>What became of each run and target, in words; empty when no shard report was found.</returns>
    public static Task<IReadOnlyList<string>> MergeAsync(string root, string? runId, bool partial, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var store = new LocalReportStore(root);
        if (!Directory.Exists(store.Root))
        {
            throw new DirectoryNotFoundException($"{store.Root} does not exist");
        }

        return ShardedRunMerge.MergeAsync(store, runId, partial, force, Path.Combine(store.Root, ".staging"), TimeProvider.System.GetUtcNow(), cancellationToken);
    }
}
