using System.Globalization;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Shards;

/// <summary>
/// The claims a sharded run keeps beside its run markers, each a small record created atomically (<see cref="IShardArchive.TryCreateAsync"/>)
/// holding when and by whom: <c>&lt;target&gt;.shard-&lt;i&gt;-of-&lt;N&gt;.started</c>, taken by the delivery that starts a shard, so a
/// redelivery of a shard whose worker was lost mid-run does not send its load a second time; and <c>&lt;target&gt;.merging</c>,
/// taken by the one caller that merges, which a late check or <c>merge --force</c> may take over once it is stale.
/// </summary>
internal static class ShardClaims
{
    /// <summary>The start claim of shard <paramref name="index"/> of <paramref name="count"/>.</summary>
    public static string StartPath(string runId, string environment, string target, int index, int count) =>
        ReportLayout.RunMarkerPath(runId, environment, ReportLayout.MarkerTarget(target, index, count)) + ".started";

    /// <summary>What a claim made now by this process holds: the time (ISO 8601) and the worker (host name and process id).</summary>
    public static string Holder(DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"{now.UtcDateTime:O} {Environment.MachineName} pid {Environment.ProcessId}");

    /// <summary>When the claim <paramref name="claim"/> was taken: the time it holds, else when it was written.</summary>
    public static DateTimeOffset TakenAt(StoredText claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var first = claim.Content.Split(' ', 2)[0];
        return DateTimeOffset.TryParse(first, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : claim.WrittenAt;
    }

    /// <summary>Who took <paramref name="claim"/> and when, in words.</summary>
    public static string Describe(StoredText claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var parts = claim.Content.Split(' ', 2);
        var at = TakenAt(claim).UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        return parts.Length == 2 ? $"at {at} on {parts[1]}" : $"at {at}";
    }

    /// <summary>
    /// Claims the start of shard <paramref name="index"/> of <paramref name="count"/> for this delivery.
    /// </summary>
    /// <returns>Null when this delivery may run the shard; otherwise why not (an earlier delivery started it and saved no report).</returns>
    public static async Task<string?> TryStartAsync(IShardArchive archive, string runId, string environment, string target, int index, int count, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var path = StartPath(runId, environment, target, index, count);
        if (await archive.TryCreateAsync(path, Holder(now), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var claim = await archive.ReadTextAsync(path, cancellationToken).ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture, $"{environment}/{target}: shard {index} of {count} of run {runId} was started {(claim is null ? "before" : Describe(claim))} by an earlier delivery that has saved no report (its worker was lost mid-run, or is still running); not run again, since its load went out then and would not line up with the other shards now (the late check merges without it)");
    }
}
