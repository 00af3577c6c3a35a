namespace GuidellmFunctions.Engine.Shards;

/// <summary>
/// What a report store offers the shards of a sharded run: reading the shard reports beside the run's report, and small
/// records kept beside the run markers with atomic writes (a conditional create: a file opened with
/// <see cref="FileMode.CreateNew"/>, a blob written with If-None-Match: *; a conditional replace: a rename, a blob written
/// with If-Match), on which the claims of a shard's start and of a run's merge are built (<see cref="ShardClaims"/>).
/// </summary>
internal interface IShardArchive
{
    /// <summary>Shard <paramref name="index"/> of <paramref name="count"/>'s report, with its per-request records as a local file (copied under <paramref name="stagingDirectory"/> when remote); null when not saved.</summary>
    Task<StoredShard?> ReadShardAsync(string environment, string target, DateTimeOffset startAt, string runId, int index, int count, string stagingDirectory, CancellationToken cancellationToken);

    /// <summary>Creates <paramref name="path"/> (relative, forward slashes) holding <paramref name="content"/> unless it exists: true for the one caller that creates it.</summary>
    Task<bool> TryCreateAsync(string path, string content, CancellationToken cancellationToken);

    /// <summary>The text at <paramref name="path"/>, when it was last written and a version to replace it by; null when absent.</summary>
    Task<StoredText?> ReadTextAsync(string path, CancellationToken cancellationToken);

    /// <summary>Replaces <paramref name="current"/> at <paramref name="path"/> with <paramref name="content"/> unless it changed since it was read: true for the one caller that replaces it.</summary>
    Task<bool> TryReplaceAsync(string path, StoredText current, string content, CancellationToken cancellationToken);

    /// <summary>Deletes <paramref name="path"/> if it exists.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>The relative paths of the run markers under <c>.runs/&lt;runId&gt;/</c> (every run's when <paramref name="runId"/> is null).</summary>
    Task<IReadOnlyList<string>> ListRunMarkersAsync(string? runId, CancellationToken cancellationToken);
}
