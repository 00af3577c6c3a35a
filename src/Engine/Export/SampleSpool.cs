using System.Security.Cryptography;
using System.Text;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// Durable queue of remote_write bodies that could not be delivered, one directory per receiver, replayed in order by the
/// next run. Files are written atomically (temporary name, then rename), so a crash leaves whole files or none.
/// </summary>
internal sealed class SampleSpool : ISampleSpool
{
    private long _sequence;

    /// <summary>Creates a spool under <paramref name="directory"/>.</summary>
    public SampleSpool(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The spool's root.</summary>
    public string Directory { get; }

    /// <summary>The spool file name of a body saved at <paramref name="now"/>: sortable by time across processes.</summary>
    internal string NextName(DateTimeOffset now) =>
        $"{now.UtcDateTime:yyyyMMddHHmmssfff}-{Environment.ProcessId}-{Interlocked.Increment(ref _sequence):D8}.pb";

    /// <summary>The directory name of a receiver's queue.</summary>
    internal static string ReceiverKey(Uri receiver) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(receiver.ToString())))[..16];

    /// <inheritdoc />
    public Task SaveAsync(Uri receiver, byte[] protobuf, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Save(receiver, protobuf, now);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> PendingAsync(Uri receiver, CancellationToken cancellationToken) => Task.FromResult(Pending(receiver));

    /// <inheritdoc />
    public Task<byte[]> ReadAsync(string id, CancellationToken cancellationToken) => File.ReadAllBytesAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        File.Delete(id);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RejectAsync(string id, string reason, CancellationToken cancellationToken)
    {
        Reject(id, reason);
        return Task.CompletedTask;
    }

    /// <summary>Stores a body for <paramref name="receiver"/>; returns its file.</summary>
    public string Save(Uri receiver, byte[] protobuf, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(protobuf);
        var dir = ReceiverDirectory(receiver);
        System.IO.Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, NextName(now));
        File.WriteAllBytes(path + ".tmp", protobuf);
        File.Move(path + ".tmp", path);
        return path;
    }

    /// <summary>The pending bodies of <paramref name="receiver"/>, oldest first.</summary>
    public IReadOnlyList<string> Pending(Uri receiver)
    {
        var dir = ReceiverDirectory(receiver);
        return System.IO.Directory.Exists(dir) ? [.. System.IO.Directory.GetFiles(dir, "*.pb").Order(StringComparer.Ordinal)] : [];
    }

    /// <summary>Moves a body the receiver refused for good aside, with the reason beside it.</summary>
    public void Reject(string path, string reason)
    {
        var rejected = Path.Combine(Path.GetDirectoryName(path)!, "rejected");
        System.IO.Directory.CreateDirectory(rejected);
        var target = Path.Combine(rejected, Path.GetFileName(path));
        File.Move(path, target, overwrite: true);
        File.WriteAllText(target + ".reason.txt", reason);
    }

    private string ReceiverDirectory(Uri receiver) => Path.Combine(Directory, ReceiverKey(receiver));
}
