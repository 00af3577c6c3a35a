using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Text;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.ServerMetrics;

/// <summary>
/// The HTTP clients server metrics are read with: pooled, no redirects followed, the environment's proxies
/// (HTTP_PROXY, HTTPS_PROXY, NO_PROXY as curl reads them) resolved by <see cref="OutboundHttp"/> as for the engine's other
/// outbound HTTP, TLS checked unless the target opts out. Shared by every run of the process.
/// </summary>
internal static class ServerMetricsHttp
{
    private static readonly Lazy<HttpClient> Secure = new(() => Create(insecure: false));
    private static readonly Lazy<HttpClient> Insecure = new(() => Create(insecure: true));

    /// <summary>The client for a target with (<paramref name="insecure"/>) or without <c>tls_insecure_skip_verify</c>.</summary>
    public static HttpClient For(bool insecure) => insecure ? Insecure.Value : Secure.Value;

    /// <summary>Adds the setting's credentials and headers (and, for the target's own <c>/metrics</c>, the target's) to <paramref name="request"/>.</summary>
    public static void Authorize(HttpRequestMessage request, ServerMetricsSetting setting, TargetConfig? target)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(setting);
        if (target?.ApiKey is { IsEmpty: false } key)
        {
            if (target.ApiKeyHeader is { } header)
            {
                request.Headers.TryAddWithoutValidation(header, key.Reveal());
            }
            else
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Reveal());
            }
        }

        foreach (var (name, value) in (target?.Headers ?? new Dictionary<string, Secret>()).Concat(setting.Headers))
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value.Reveal());
        }

        if (setting.BearerToken is { IsEmpty: false } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Reveal());
        }
        else if (setting.BasicAuthUsername is { } user)
        {
            var pair = Encoding.UTF8.GetBytes($"{user}:{setting.BasicAuthPassword?.Reveal()}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(pair));
        }
    }

    private static HttpClient Create(bool insecure)
    {
        var handler = OutboundHttp.Handler();
        handler.ConnectTimeout = TimeSpan.FromSeconds(10);
        handler.AllowAutoRedirect = false;
        handler.UseCookies = false;
        handler.AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate;
        if (insecure)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
#pragma warning disable CA5359 // Only for a target that opted into tls_insecure_skip_verify, for its own /metrics.
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
#pragma warning restore CA5359
            };
        }

        return new HttpClient(handler, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestHeaders = { { "User-Agent", RunnerUserAgent.Value } },
        };
    }
}
