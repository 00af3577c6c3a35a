namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Thrown when a configuration has one or more problems; carries all of them at once.</summary>
public sealed class ConfigValidationException : Exception
{
    /// <summary>Creates the exception from every problem found.</summary>
    public ConfigValidationException(IReadOnlyList<ConfigError> errors)
        : base(Format(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates an exception with a single message.</summary>
    public ConfigValidationException(string message)
        : this([new ConfigError("config", 0, 0, string.Empty, message)])
    {
    }

    /// <summary>Creates an exception with a single message.</summary>
    public ConfigValidationException()
        : this("invalid configuration")
    {
    }

    /// <summary>Creates an exception with a single message and an inner exception.</summary>
    public ConfigValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new ConfigError("config", 0, 0, string.Empty, message)];
    }

    /// <summary>Every problem found, in document order.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    private static string Format(IReadOnlyList<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var noun = errors.Count == 1 ? "problem" : "problems";
        return $"configuration has {errors.Count} {noun}:{Environment.NewLine}  "
            + string.Join(Environment.NewLine + "  ", errors);
    }
}
