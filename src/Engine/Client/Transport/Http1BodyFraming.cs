namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>How the end of an HTTP/1.1 response body is found.</summary>
internal enum Http1BodyFraming
{
    /// <summary><c>Content-Length</c> bytes (0 for 1xx, 204 and 304).</summary>
    Length,

    /// <summary><c>Transfer-Encoding: chunked</c>.</summary>
    Chunked,

    /// <summary>Neither: the body ends when the server closes the connection.</summary>
    UntilClose,
}
