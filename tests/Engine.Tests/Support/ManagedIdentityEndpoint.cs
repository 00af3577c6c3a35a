using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// A stand-in of the App Service managed-identity endpoint (the <c>IDENTITY_ENDPOINT</c>/<c>IDENTITY_HEADER</c> convention) on a
/// 127.0.0.1 free port: issues tokens that expire <see cref="Lifetime"/> after issue, or refuses every request. Sets the two
/// variables while it runs, so its tests belong to a collection that does not run in parallel.
/// </summary>
public sealed class ManagedIdentityEndpoint : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _issued = new();
    private readonly string _header = "identity-header-" + Guid.NewGuid().ToString("N");
    private readonly Task _loop;
    private int _count;

    private ManagedIdentityEndpoint(TimeSpan lifetime, bool refuse)
    {
        Lifetime = lifetime;
        Refuse = refuse;
        var port = LoopbackPorts.Free();
        Endpoint = new Uri($"http://127.0.0.1:{port}/msi/token");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/msi/");
        _listener.Start();
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", Endpoint.ToString());
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", _header);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The token endpoint.</summary>
    public Uri Endpoint { get; }

    /// <summary>How long an issued token is valid.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>True when every request is refused (HTTP 400).</summary>
    public bool Refuse { get; }

    /// <summary>Every token issued so far.</summary>
    public IReadOnlyCollection<string> Issued => [.. _issued.Keys];

    /// <summary>Scopes (resources) asked for.</summary>
    public ConcurrentQueue<string> Resources { get; } = new();

    /// <summary>Starts the stand-in.</summary>
    public static ManagedIdentityEndpoint Start(TimeSpan lifetime, bool refuse = false) => new(lifetime, refuse);

    /// <summary>True when <paramref name="token"/> was issued here and has not expired (the target stand-in's check).</summary>
    public bool Accepts(string token) => _issued.TryGetValue(token, out var expires) && DateTimeOffset.UtcNow < expires;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", null);
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", null);
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // The listener was stopped while waiting for a request.
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Resources.Enqueue(context.Request.QueryString["resource"] ?? string.Empty);
            string body;
            if (Refuse || context.Request.Headers["X-IDENTITY-HEADER"] != _header)
            {
                context.Response.StatusCode = 400;
                body = """{"statusCode":400,"message":"No managed identity is assigned to this app (stand-in refuses)"}""";
            }
            else
            {
                var token = $"entra-token-{Interlocked.Increment(ref _count)}-{Guid.NewGuid():N}";
                var expires = DateTimeOffset.UtcNow + Lifetime;
                _issued[token] = expires;
                body = $$"""{"access_token":"{{token}}","expires_on":"{{expires.ToUnixTimeSeconds()}}","resource":"{{context.Request.QueryString["resource"]}}","token_type":"Bearer"}""";
            }

            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            context.Response.Close();
        }
    }
}
