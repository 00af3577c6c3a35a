using System.Globalization;
using System.Text.Json.Nodes;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>
/// The queue messages of a sharded run (<c>enqueue --shards N</c>, or a message with <c>shards</c> and no <c>shard</c>):
/// one per shard with the run's id, <c>shards</c>, <c>shard</c> and a common <c>startAt</c>, and a <c>mergeCheck</c>
/// message made visible once the last shard should have ended, which merges whatever the shards saved.
/// </summary>
public static class ShardMessages
{
    /// <summary>The most shards one run may have (one queue message and one worker each).</summary>
    public const int MaxShards = Shards.ShardPlanner.MaxShards;

    /// <summary>How long after <c>startAt</c> shards start by default: time for KEDA or the Functions host to scale out.</summary>
    public static TimeSpan DefaultStartDelay { get; } = TimeSpan.FromSeconds(30);

    /// <summary>How long past its planned end the late check waits for a shard before merging without it, by default (a message's <c>mergeGrace</c> sets it).</summary>
    public static TimeSpan Grace { get; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest <c>mergeGrace</c> a message may ask (the queue keeps a message invisible 7 days at most).</summary>
    public static TimeSpan MaxGrace { get; } = TimeSpan.FromDays(1);

    /// <summary>The planned length of a shard with no <c>max_seconds</c> (a <c>max_requests</c> bound only).</summary>
    public static TimeSpan UnboundedRun { get; } = TimeSpan.FromHours(1);

    /// <summary>The message of shard <paramref name="index"/> of <paramref name="shards"/>, from the run's <paramref name="message"/>.</summary>
    public static string Shard(string message, int index, int shards, DateTimeOffset startAt) =>
        With(message, node =>
        {
            node["shards"] = shards;
            node["shard"] = index;
            node["startAt"] = startAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        });

    /// <summary>The late check of the sharded run of <paramref name="message"/>.</summary>
    public static string Check(string message, int shards, DateTimeOffset startAt) =>
        With(message, node =>
        {
            node.Remove("shard");
            node["shards"] = shards;
            node["startAt"] = startAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            node["mergeCheck"] = true;
        });

    /// <summary>
    /// When the late check of <paramref name="request"/> should run: at <c>startAt</c> plus the longest planned stage of its
    /// targets (<c>max_seconds</c>, or <see cref="UnboundedRun"/>) plus its <c>mergeGrace</c> (<see cref="Grace"/> by default).
    /// </summary>
    /// <param name="request">The run.</param>
    /// <param name="targets">Its resolved targets, or null when no config is at hand (the overrides' <c>max_seconds</c> is used).</param>
    /// <param name="startAt">The shards' start.</param>
    public static DateTimeOffset CheckAt(RunRequest request, IReadOnlyList<ResolvedTarget>? targets, DateTimeOffset startAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        var planned = targets is { Count: > 0 }
            ? targets.Max(t => t.Settings.MaxDuration ?? UnboundedRun)
            : new BenchmarkSettings().With(request.Overrides).MaxDuration ?? UnboundedRun;
        return startAt + planned + (request.MergeGrace ?? Grace);
    }

    private static string With(string message, Action<JsonObject> change)
    {
        var node = JsonNode.Parse(message) as JsonObject ?? throw new FormatException("a run message is a JSON object");
        change(node);
        return node.ToJsonString();
    }
}
