using System.Globalization;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Shards;

/// <summary>
/// Splits one target's load across the shards of a sharded run: closed-loop streams and <c>max_concurrency</c> split with
/// the remainder spread over the first shards, an open-loop (poisson) rate divided with a seed per shard, so the union of
/// the shards' independent Poisson arrivals is Poisson at the full rate, a constant rate divided with each shard's
/// arrivals offset by its share of the gap (<see cref="Load.ArrivalSchedules"/>), so the union is the full constant
/// schedule, and <c>max_requests</c> split like streams. A dataset is dealt out: shard k of N takes the usable records
/// k, k + N, k + 2N, ... of the one order every shard reads with the run's seed (<see cref="Data.DatasetRequestSource"/>).
/// </summary>
internal static class ShardPlanner
{
    /// <summary>The most shards one run may have (one queue message, one worker each).</summary>
    public const int MaxShards = 100;

    /// <summary>Why <paramref name="settings"/> cannot be split into <paramref name="count"/> shards; null when they can.</summary>
    public static string? Refusal(BenchmarkSettings settings, int count)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (count < 1 || count > MaxShards)
        {
            return string.Create(CultureInfo.InvariantCulture, $"shards must be 1 to {MaxShards}, not {count}");
        }

        if (count == 1)
        {
            return null;
        }

        var problem = settings.Profile switch
        {
            ProfileKind.Concurrent when (int)settings.Rate < count => string.Create(CultureInfo.InvariantCulture, $"{(int)settings.Rate} streams cannot be split into {count} shards (fewer streams than shards)"),
            ProfileKind.Throughput when (settings.MaxConcurrency ?? BenchmarkSettings.DefaultThroughputConcurrency) < count => string.Create(CultureInfo.InvariantCulture, $"max_concurrency {settings.MaxConcurrency} cannot be split into {count} shards (fewer streams than shards)"),
            ProfileKind.Poisson or ProfileKind.Constant when settings.MaxConcurrency is { } cap && cap < count => string.Create(CultureInfo.InvariantCulture, $"max_concurrency {cap} cannot be split into {count} shards"),
            ProfileKind.Concurrent or ProfileKind.Throughput or ProfileKind.Poisson or ProfileKind.Constant => null,
            _ => $"profile {ProfileNames.Format(settings.Profile)} cannot be sharded (only concurrent, throughput, poisson and constant split into shares of one run)",
        };
        if (problem is null && settings.MaxRequests is { } max && max < count)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"max_requests {max} cannot be split into {count} shards");
        }

        return problem;
    }

    /// <summary>The share of shard <paramref name="index"/> (1 to <paramref name="count"/>) of <paramref name="settings"/>, which <see cref="Refusal"/> accepted.</summary>
    public static BenchmarkSettings Share(BenchmarkSettings settings, int index, int count)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (count == 1)
        {
            return settings;
        }

        var share = settings.Set(SettingsTable.Seed, DerivedSeed(settings.Seed, index));
        share = settings.Profile switch
        {
            ProfileKind.Concurrent => share.Set(SettingsTable.Rate, (double)Split((int)settings.Rate, index, count)),
            ProfileKind.Throughput => share.Set(SettingsTable.MaxConcurrency, Split(settings.MaxConcurrency ?? BenchmarkSettings.DefaultThroughputConcurrency, index, count)),
            _ => share.Set(SettingsTable.Rate, settings.Rate / count),
        };
        if (settings.Profile is ProfileKind.Poisson or ProfileKind.Constant && settings.MaxConcurrency is { } cap)
        {
            share = share.Set(SettingsTable.MaxConcurrency, Split(cap, index, count));
        }

        if (settings.MaxRequests is { } max)
        {
            share = share.Set(SettingsTable.MaxRequests, Split(max, index, count));
        }

        return share;
    }

    /// <summary>
    /// <paramref name="target"/> as shard <paramref name="shard"/> runs it: its settings the shard's <see cref="Share"/>,
    /// and the whole run's kept in <see cref="ShardAssignment.Run"/> for the reports.
    /// </summary>
    public static ResolvedTarget Assign(ResolvedTarget target, ShardAssignment shard)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(shard);
        return target with { Settings = Share(target.Settings, shard.Index, shard.Count), Shard = shard with { Run = target.Settings } };
    }

    /// <summary>Shard <paramref name="index"/>'s part of <paramref name="total"/>: the remainder goes one each to the first shards.</summary>
    public static int Split(int total, int index, int count) => (total / count) + (index <= total % count ? 1 : 0);

    /// <summary>A seed per shard, far apart from the per-stage seeds (seed + stage index) of any other shard.</summary>
    public static int DerivedSeed(int seed, int index) => unchecked(seed + (index * 1_000_003));

    /// <summary>The run's seed back from shard <paramref name="index"/>'s <see cref="DerivedSeed"/>: the dataset order every shard shares.</summary>
    public static int RunSeed(int shardSeed, int index) => unchecked(shardSeed - (index * 1_000_003));
}
