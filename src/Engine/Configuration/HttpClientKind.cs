namespace GuidellmFunctions.Engine.Configuration;

/// <summary>The HTTP client a target's requests go through (<c>http_client</c>).</summary>
public enum HttpClientKind
{
    /// <summary>
    /// The runner's own HTTP/1.1 client, plain for <c>http</c> URLs and over TLS for <c>https</c> (as guidellm and vLLM's
    /// bench speak), with kernel receive timestamps; written <c>auto</c> in configs.
    /// </summary>
    Runner,

    /// <summary>.NET's HttpClient for every URL (HTTP/2 by ALPN on <c>https</c>).</summary>
    HttpClient,
}
