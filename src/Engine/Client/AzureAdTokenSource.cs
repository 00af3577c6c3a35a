using Azure.Core;
using GuidellmFunctions.Engine.Configuration;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Client;

/// <summary>
/// The Microsoft Entra ID token of one target's requests (<c>auth: azure_ad</c>): got once before the clock, cached, and
/// refreshed in the background ahead of its expiry (one refresh at a time) so no request waits for the identity endpoint.
/// The token stays a <see cref="Secret"/>: redacted from errors like an API key, never logged.
/// </summary>
internal sealed partial class AzureAdTokenSource
{
    /// <summary>After a failed refresh, the next is tried this much later (the cached token is sent meanwhile).</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>The most a token is refreshed ahead of its expiry; a short-lived token is refreshed at half its life.</summary>
    private static readonly TimeSpan MaxLead = TimeSpan.FromMinutes(5);

    private readonly TokenCredential _credential;
    private readonly TokenRequestContext _context;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private Entry _current;
    private int _refreshing;

    private AzureAdTokenSource(TokenCredential credential, TokenRequestContext context, TimeProvider time, ILogger logger, Entry first)
    {
        _credential = credential;
        _context = context;
        _time = time;
        _logger = logger;
        _current = first;
    }

    /// <summary>Tokens refreshed so far (the first one not counted).</summary>
    public int Refreshes { get; private set; }

    /// <summary>The token to send now; starts a background refresh once the refresh time has come.</summary>
    public Secret Current
    {
        get
        {
            var entry = Volatile.Read(ref _current);
            if (_time.GetUtcNow() >= entry.RefreshAt && Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
            {
                _ = Task.Run(RefreshAsync);
            }

            return entry.Token;
        }
    }

    /// <summary>Gets the first token for <paramref name="auth"/>'s scope; the failure is named ("could not get a token: ...") and holds no secret.</summary>
    public static async Task<(AzureAdTokenSource? Source, string? Failure)> StartAsync(
        TokenCredential credential, AuthSetting auth, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(auth);
        var context = new TokenRequestContext([auth.Scope]);
        try
        {
            var token = await credential.GetTokenAsync(context, cancellationToken).ConfigureAwait(false);
            return (new AzureAdTokenSource(credential, context, time, logger, Entry.From(token, time.GetUtcNow())), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (null, $"could not get a token: {FirstLine(ex.Message)}");
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private async Task RefreshAsync()
    {
        try
        {
            var token = await _credential.GetTokenAsync(_context, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _current, Entry.From(token, _time.GetUtcNow()));
            Refreshes++;
            LogRefreshed(_logger, token.ExpiresOn);
        }
        catch (Exception ex)
        {
            var current = Volatile.Read(ref _current);
            Volatile.Write(ref _current, current with { RefreshAt = _time.GetUtcNow() + RetryAfter });
            LogRefreshFailed(_logger, ex.GetType().Name, FirstLine(ex.Message));
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    [LoggerMessage(1301, LogLevel.Debug, "Entra ID token refreshed; it expires at {ExpiresOn:O}")]
    private static partial void LogRefreshed(ILogger logger, DateTimeOffset expiresOn);

    [LoggerMessage(1302, LogLevel.Warning, "Could not refresh the Entra ID token (the cached one is sent until it expires): {Type}: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string type, string reason);

    private sealed record Entry(Secret Token, DateTimeOffset RefreshAt)
    {
        public static Entry From(AccessToken token, DateTimeOffset now)
        {
            var life = token.ExpiresOn - now;
            var lead = life / 2 < MaxLead ? life / 2 : MaxLead;
            var refreshAt = token.RefreshOn is { } on && on < token.ExpiresOn - lead ? on : token.ExpiresOn - lead;
            return new Entry(new Secret(token.Token), refreshAt);
        }
    }
}
