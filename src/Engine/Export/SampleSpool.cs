using System.Security.Cryptography;
using System.Text;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// Durable queue of remote_write bodies that could not be delivered, one directory per receiver, replayed in order by the
/// next run. Files are written atomically (temporary name, then rename), so a crash leaves whole files or none.
/// </summary>
public sealed class SampleSpool
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

    /// <summary>Stores a body for <paramref name="receiver"/>; returns its file.</summary>
    public string Save(Uri receiver, byte[] protobuf, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(protobuf);
        var dir = ReceiverDirectory(receiver);
        System.IO.Directory.CreateDirectory(dir);
        var name = $"{now.UtcDateTime:yyyyMMddHHmmssfff}-{Environment.ProcessId}-{Interlocked.Increment(ref _sequence):D8}.pb";
        var path = Path.Combine(dir, name);
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

    private string ReceiverDirectory(Uri receiver) =>
        Path.Combine(Directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(receiver.ToString())))[..16]);
}
