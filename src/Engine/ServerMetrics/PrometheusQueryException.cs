namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>A query the Prometheus-compatible API could not answer; the message names the API and its reason, secrets masked.</summary>
internal sealed class PrometheusQueryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PrometheusQueryException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public PrometheusQueryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public PrometheusQueryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
