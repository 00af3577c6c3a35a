using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>An on-demand run, as carried by a queue message.</summary>
/// <param name="RunId">Run id: the message's, or one derived from the message id.</param>
/// <param name="Environment">Environment to run.</param>
/// <param name="Targets">Targets to run; empty for all of the environment.</param>
/// <param name="Overrides">Settings applied over the config's.</param>
/// <param name="RequestedBy">Who asked, for the record.</param>
public sealed record RunRequest(string RunId, string Environment, IReadOnlyList<string> Targets, BenchmarkSettingsPatch Overrides, string? RequestedBy)
{
    /// <summary>Shards of a sharded run (<c>shards</c>); null when not sharded.</summary>
    public int? Shards { get; init; }

    /// <summary>This message's shard, 1 to <see cref="Shards"/> (<c>shard</c>); null for the message that fans out into the shards, or for a merge check.</summary>
    public int? Shard { get; init; }

    /// <summary>When every shard starts (<c>startAt</c>); null to start at once.</summary>
    public DateTimeOffset? StartAt { get; init; }

    /// <summary>True for the late check of a sharded run (<c>mergeCheck</c>): merge what the shards saved, missing ones marked.</summary>
    public bool MergeCheck { get; init; }

    /// <summary>
    /// How long past the shards' planned end the late check waits before merging without a missing shard, and how old a
    /// merge claim must be to be taken over (<c>mergeGrace</c>); null for <see cref="ShardMessages.Grace"/>.
    /// </summary>
    public TimeSpan? MergeGrace { get; init; }
}
