namespace GuidellmFunctions.Engine.Configuration;

/// <summary>One problem found in a configuration, located by file, line, column and key path.</summary>
/// <param name="File">The file the problem is in, or a description of the source (for example "queue message").</param>
/// <param name="Line">1-based line, or 0 when unknown.</param>
/// <param name="Column">1-based column, or 0 when unknown.</param>
/// <param name="Key">Dotted key path, for example <c>environments.staging.targets[0].rate</c>.</param>
/// <param name="Message">What is wrong and what is expected.</param>
public sealed record ConfigError(string File, int Line, int Column, string Key, string Message)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var location = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        return string.IsNullOrEmpty(Key) ? $"{location}: {Message}" : $"{location}: {Key}: {Message}";
    }
}
