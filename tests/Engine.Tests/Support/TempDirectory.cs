namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>A fresh directory for a test's files, deleted with everything in it when disposed.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("guidellm-test-").FullName;

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the directory and returns its path.</summary>
    public string Write(string name, string text)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
