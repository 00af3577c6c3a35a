using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Shards;

/// <summary>A saved shard report and its per-request records file (a local path), when it has one.</summary>
/// <param name="Report">The shard report.</param>
/// <param name="RequestsFile">The records, gzip JSON lines; null when the shard saved none.</param>
/// <param name="Temporary">True when <paramref name="RequestsFile"/> is a copy to delete after the merge.</param>
internal sealed record StoredShard(RunReport Report, string? RequestsFile, bool Temporary);
