namespace GuidellmFunctions.Engine.Data;

/// <summary>A dataset cannot be used: unreadable, of an unknown format, mostly malformed, or without a usable record. The message names it.</summary>
internal sealed class DatasetException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DatasetException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public DatasetException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public DatasetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
