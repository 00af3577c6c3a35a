using System.IO.Compression;
using System.Text;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>
/// Distinct real text of this machine, handed out once: man pages, package docs and licenses (gzip read through), Python
/// sources and the .NET reference packs' XML docs, one file from each folder in turn so every piece mixes kinds of text.
/// </summary>
internal sealed class RealTextCorpus
{
    private static readonly string[] Roots =
    [
        "/usr/share/man", "/usr/share/doc", "/usr/share/common-licenses", "/usr/lib/python3", "/usr/lib/python3.11",
        "/usr/lib/python3.12", "/usr/lib/python3.13", "/usr/share/dotnet/packs",
    ];

    private readonly List<IEnumerator<string>> _files;
    private readonly StringBuilder _buffer = new();
    private int _next;

    public RealTextCorpus()
    {
        _files = [.. Roots.Where(Directory.Exists).Select(r => Files(r).GetEnumerator())];
    }

    /// <summary>The folders read.</summary>
    public static string Describe() => string.Join(", ", Roots);

    /// <summary>The next <paramref name="chars"/> characters not handed out before, or null when the folders are used up.</summary>
    public string? Take(int chars)
    {
        while (_buffer.Length < chars && _files.Count > 0)
        {
            var files = _files[_next % _files.Count];
            if (!files.MoveNext())
            {
                _files.Remove(files);
                continue;
            }

            _next++;
            if (Read(files.Current) is { } text)
            {
                _buffer.Append(text).Append('\n');
            }
        }

        if (_buffer.Length < chars)
        {
            return null;
        }

        var piece = _buffer.ToString(0, chars);
        _buffer.Remove(0, chars);
        return piece;
    }

    private static IEnumerable<string> Files(string root) =>
        Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(f => f.EndsWith(".gz", StringComparison.Ordinal) || f.EndsWith(".py", StringComparison.Ordinal) || f.EndsWith(".xml", StringComparison.Ordinal)
                || f.EndsWith(".txt", StringComparison.Ordinal) || f.EndsWith(".md", StringComparison.Ordinal) || root.EndsWith("licenses", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static string? Read(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true));
            var text = reader.ReadToEnd();
            return text.Contains('\0', StringComparison.Ordinal) ? null : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or DecoderFallbackException)
        {
            return null;
        }
    }
}
