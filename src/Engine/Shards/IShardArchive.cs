namespace GuidellmFunctions.Engine.Shards;

/// <summary>
/// What a report store offers the merge of a sharded run: reading the shard reports beside the run's report, and one
/// atomic claim per run and target (a conditional create: a file opened with <see cref="FileMode.CreateNew"/>, a blob
/// written with If-None-Match: *), so that of the shards that find every report saved, exactly one merges.
/// </summary>
internal interface IShardArchive
{
    /// <summary>Shard <paramref name="index"/> of <paramref name="count"/>'s report, with its per-request records as a local file (copied under <paramref name="stagingDirectory"/> when remote); null when not saved.</summary>
    Task<StoredShard?> ReadShardAsync(string environment, string target, DateTimeOffset startAt, string runId, int index, int count, string stagingDirectory, CancellationToken cancellationToken);

    /// <summary>Claims the merge of <paramref name="runId"/> of <paramref name="environment"/>/<paramref name="target"/>: true for the one caller that creates the claim.</summary>
    Task<bool> TryClaimMergeAsync(string runId, string environment, string target, CancellationToken cancellationToken);
}
