namespace GuidellmFunctions.Engine.Export;

/// <summary>Durable queue of remote_write bodies per receiver, replayed oldest first.</summary>
internal interface ISampleSpool
{
    /// <summary>Stores a body for <paramref name="receiver"/>.</summary>
    Task SaveAsync(Uri receiver, byte[] protobuf, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Ids of the pending bodies of <paramref name="receiver"/>, oldest first.</summary>
    Task<IReadOnlyList<string>> PendingAsync(Uri receiver, CancellationToken cancellationToken);

    /// <summary>Reads a pending body.</summary>
    Task<byte[]> ReadAsync(string id, CancellationToken cancellationToken);

    /// <summary>Removes a delivered body.</summary>
    Task DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Moves a body the receiver refused for good aside, with the reason.</summary>
    Task RejectAsync(string id, string reason, CancellationToken cancellationToken);
}
