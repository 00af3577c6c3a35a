namespace GuidellmFunctions.Engine.Client;

/// <summary>Why a request failed; the <c>reason</c> label and the keys of <c>summary.errors</c>.</summary>
public enum FailureReason
{
    /// <summary>HTTP 4xx other than 429.</summary>
    Http4xx,

    /// <summary>HTTP 429 Too Many Requests.</summary>
    Http429,

    /// <summary>HTTP 5xx.</summary>
    Http5xx,

    /// <summary>The request did not finish within its timeout.</summary>
    Timeout,

    /// <summary>No response: refused, DNS, TLS, reset before headers.</summary>
    Connection,

    /// <summary>The stream broke after it began: cut before <c>[DONE]</c>, or an error object inside it.</summary>
    StreamError,

    /// <summary>The server's reply could not be understood: invalid JSON or UTF-8, an oversized event, an unexpected content type.</summary>
    Protocol,
}
