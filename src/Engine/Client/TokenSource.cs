namespace GuidellmFunctions.Engine.Client;

/// <summary>Where a token count came from.</summary>
public enum TokenSource
{
    /// <summary>No count (the request produced nothing).</summary>
    None,

    /// <summary>The server's <c>usage</c> object.</summary>
    Usage,

    /// <summary>Counted content-bearing chunks, because the server sent no usage.</summary>
    Chunks,
}
