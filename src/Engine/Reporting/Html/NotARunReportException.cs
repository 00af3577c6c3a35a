namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>The input is not a run report; the message names the input and says why.</summary>
public sealed class NotARunReportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NotARunReportException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public NotARunReportException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public NotARunReportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
