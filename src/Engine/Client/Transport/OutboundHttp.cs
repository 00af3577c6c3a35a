using Azure.Core.Pipeline;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// HTTP beside the targets (remote_write receivers, blob and queue storage) through the same proxy resolution as the
/// targets' (<see cref="EnvironmentProxy.Process"/>: HTTP_PROXY, HTTPS_PROXY, NO_PROXY as curl reads them), so a
/// NO_PROXY that sends an in-cluster receiver direct means the same for every client of the engine.
/// </summary>
internal static class OutboundHttp
{
    // As the SDK's own default handler: its pipeline follows redirects and keeps no cookies.
    private static readonly Lazy<Azure.Core.Pipeline.HttpClientTransport> s_azure = new(() =>
    {
        var handler = Handler();
        handler.AllowAutoRedirect = false;
        handler.UseCookies = false;
        return new Azure.Core.Pipeline.HttpClientTransport(new HttpClient(handler));
    });

    /// <summary>The transport of the Azure SDK's clients (blob and queue storage), shared as the SDK advises.</summary>
    public static HttpPipelineTransport Azure => s_azure.Value;

    /// <summary>A pooled handler resolving proxies as targets do, connections recycled every 5 minutes so DNS changes are seen.</summary>
    public static SocketsHttpHandler Handler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        UseProxy = true,
        Proxy = EnvironmentProxy.Process,
    };
}
