using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Client;

/// <summary>Removes known secret values from text that came from outside (server replies, exception messages).</summary>
internal static class SecretRedactor
{
    /// <summary>Replaces every occurrence of each non-empty secret in <paramref name="text"/> with <see cref="Secret.Mask"/>.</summary>
    public static string Redact(string text, IEnumerable<Secret?> secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(secrets);
        foreach (var secret in secrets)
        {
            if (secret is { IsEmpty: false } && secret.Reveal().Length >= 4)
            {
                text = text.Replace(secret.Reveal(), Secret.Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>The secrets a request carries.</summary>
    public static IEnumerable<Secret?> Of(CompletionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        yield return request.ApiKey;
        foreach (var value in request.Headers?.Values ?? [])
        {
            yield return value;
        }
    }
}
