namespace GuidellmFunctions.Engine.Configuration;

/// <summary>The HTTP client a target's requests go through (<c>http_client</c>).</summary>
public enum HttpClientKind
{
    /// <summary>The purpose-built HTTP/1.1 client, plain for <c>http</c> URLs and over TLS for <c>https</c> (as guidellm and vLLM's bench speak).</summary>
    Auto,

    /// <summary>.NET's HttpClient for every URL (HTTP/2 by ALPN on <c>https</c>).</summary>
    HttpClient,
}
