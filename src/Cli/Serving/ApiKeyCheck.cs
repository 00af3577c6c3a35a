using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace GuidellmFunctions.Cli.Serving;

/// <summary>
/// The control API's key: a request carries it as <c>Authorization: Bearer KEY</c> or <c>X-API-Key: KEY</c>. Keys are
/// compared as SHA-256 digests in constant time, so neither the key's content nor its length shows in the timing. With no
/// key configured every mutating request is refused.
/// </summary>
internal sealed class ApiKeyCheck
{
    private readonly byte[]? _digest;

    public ApiKeyCheck(string? key)
    {
        _digest = key is { Length: > 0 } ? SHA256.HashData(Encoding.UTF8.GetBytes(key)) : null;
    }

    /// <summary>True when a key is configured.</summary>
    public bool Configured => _digest is not null;

    /// <summary>True when <paramref name="request"/> carries the configured key.</summary>
    public bool Allows(HttpRequest request)
    {
        if (_digest is null)
        {
            return false;
        }

        var given = request.Headers["X-API-Key"].ToString();
        var authorization = request.Headers.Authorization.ToString();
        if (given.Length == 0 && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            given = authorization["Bearer ".Length..].Trim();
        }

        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), _digest);
    }
}
