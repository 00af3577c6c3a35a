namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// The <c>proxy</c> setting: the HTTP proxy a target's requests go through (its credentials apart, the password a
/// secret), or <see cref="Direct"/> for none whatever the environment says.
/// </summary>
/// <param name="Url">The proxy's <c>http://host:port</c> without credentials; null for <see cref="Direct"/>.</param>
/// <param name="Username">The user of its Basic credentials, or null.</param>
/// <param name="Password">The password of its Basic credentials, or null.</param>
public sealed record ProxySetting(Uri? Url, string? Username = null, Secret? Password = null)
{
    /// <summary>No proxy, even where HTTP_PROXY or HTTPS_PROXY name one.</summary>
    public static ProxySetting Direct { get; } = new((Uri?)null);

    /// <summary>As a config would write it, the password masked.</summary>
    public override string ToString() =>
        Url is null ? "none"
        : Username is null ? Url.GetLeftPart(UriPartial.Authority)
        : $"{Url.Scheme}://{Uri.EscapeDataString(Username)}:{Secret.Mask}@{Url.Authority}";
}
