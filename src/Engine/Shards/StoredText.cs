namespace GuidellmFunctions.Engine.Shards;

/// <summary>A small record kept in a report store (a claim, a run marker).</summary>
/// <param name="Content">Its text.</param>
/// <param name="WrittenAt">When it was last written (the store's clock: blob Last-Modified, file write time).</param>
/// <param name="Version">What a conditional replace compares (blob ETag, file write time).</param>
internal sealed record StoredText(string Content, DateTimeOffset WrittenAt, string Version);
