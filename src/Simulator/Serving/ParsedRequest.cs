using System.Text.Json;

namespace GuidellmFunctions.Simulator.Serving;

/// <summary>The fields of a completion request the simulator acts on.</summary>
internal sealed record ParsedRequest(string? Model, bool Stream, bool IncludeUsage, int? MaxTokens, bool IgnoreEos, string Prompt)
{
    public static ParsedRequest? TryParse(JsonElement root, bool chat, out string? error)
    {
        error = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "request body must be a JSON object";
            return null;
        }

        string prompt;
        if (chat)
        {
            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            {
                error = "'messages' must be a non-empty array";
                return null;
            }

            prompt = string.Join('\n', messages.EnumerateArray().Select(m =>
                m.ValueKind == JsonValueKind.Object && m.TryGetProperty("content", out var c) ? Content(c) : string.Empty));
        }
        else
        {
            if (!root.TryGetProperty("prompt", out var p) || p.ValueKind != JsonValueKind.String)
            {
                error = "'prompt' must be a string";
                return null;
            }

            prompt = p.GetString() ?? string.Empty;
        }

        int? maxTokens = null;
        foreach (var name in (string[])["max_tokens", "max_completion_tokens"])
        {
            if (root.TryGetProperty(name, out var mt) && mt.ValueKind == JsonValueKind.Number)
            {
                if (!mt.TryGetInt32(out var v) || v < 1)
                {
                    error = $"'{name}' must be a positive integer";
                    return null;
                }

                maxTokens = v;
            }
        }

        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var includeUsage = root.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        var ignoreEos = root.TryGetProperty("ignore_eos", out var ie) && ie.ValueKind == JsonValueKind.True;
        var model = root.TryGetProperty("model", out var md) && md.ValueKind == JsonValueKind.String ? md.GetString() : null;
        return new ParsedRequest(model, stream, includeUsage, maxTokens, ignoreEos, prompt);
    }

    /// <summary>A message's text: the string, or its text parts (<c>[{"type": "text", "text": ...}]</c>) joined.</summary>
    private static string Content(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString() ?? string.Empty,
        JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(part =>
            part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : string.Empty)),
        _ => string.Empty,
    };
}
