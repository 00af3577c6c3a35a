using System.Text.Json;

namespace GuidellmFunctions.Engine.Client;

/// <summary>
/// The human part of a server's error reply: OpenAI's <c>error.message</c>, FastAPI's <c>detail</c>, an HTML error page's
/// <c>title</c> (what an ingress such as nginx answers: "502 Bad Gateway"), or the text itself.
/// </summary>
internal static class ServerMessages
{
    /// <summary>The message inside <paramref name="body"/> when it is a JSON error object, else the body.</summary>
    public static string Extract(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var start = body.IndexOf('{', StringComparison.Ordinal);
        if (start < 0)
        {
            return Title(body) ?? body;
        }

        try
        {
            using var doc = JsonDocument.Parse(body.AsMemory(start));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return body;
            }

            var error = root.TryGetProperty("error", out var e) ? e : root;
            var text = error.ValueKind == JsonValueKind.String ? error.GetString()
                : error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()
                : root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()
                : root.TryGetProperty("message", out var rm) && rm.ValueKind == JsonValueKind.String ? rm.GetString()
                : null;
            return string.IsNullOrWhiteSpace(text) ? body : body[..start] + text;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    private static string? Title(string body)
    {
        var open = body.IndexOf("<title>", StringComparison.OrdinalIgnoreCase);
        var close = open < 0 ? -1 : body.IndexOf("</title>", open, StringComparison.OrdinalIgnoreCase);
        if (close < 0)
        {
            return null;
        }

        var title = body[(open + "<title>".Length)..close].Trim();
        return title.Length == 0 ? null : body[..body.IndexOf('<', StringComparison.Ordinal)] + System.Net.WebUtility.HtmlDecode(title);
    }
}
