using System.Text.Json;

namespace GuidellmFunctions.Engine.Client;

/// <summary>What the pre-flight GET of a target's model list found.</summary>
/// <param name="Status">The HTTP status, null when no response came.</param>
/// <param name="Models">The model ids a successful reply listed, null when it listed none in OpenAI's form.</param>
/// <param name="ServerMessage">The server's own words on an HTTP error (secrets masked).</param>
internal sealed record ModelsProbe(int? Status, IReadOnlyList<string>? Models, string? ServerMessage)
{
    /// <summary>No answer (no OpenAI-style path, no connection, a timeout): nothing is known.</summary>
    public static ModelsProbe NotAsked { get; } = new(null, null, null);

    /// <summary>The ids of OpenAI's <c>{"data": [{"id": ...}]}</c>, or null for any other body.</summary>
    public static IReadOnlyList<string>? ParseModels(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var ids = ReadList(doc.RootElement)?.Where(entry => entry.Id is not null).Select(entry => entry.Id!).ToList();
            return ids is { Count: > 0 } ? ids : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Each entry of OpenAI's model list <c>{"data": [{"id": ..., "model_type": ...}]}</c> in order: its string id (null
    /// when the entry is not an object with one) and its <c>model_type</c> when a string; null when the root is not such a
    /// list. The pre-flight and discovery read the same list and differ only in what they make of odd entries.
    /// </summary>
    public static List<(string? Id, string? ModelType)>? ReadList(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var entries = new List<(string? Id, string? ModelType)>();
        foreach (var model in data.EnumerateArray())
        {
            var isObject = model.ValueKind == JsonValueKind.Object;
            var id = isObject && model.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString() : null;
            var type = isObject && model.TryGetProperty("model_type", out var typeValue) && typeValue.ValueKind == JsonValueKind.String ? typeValue.GetString() : null;
            entries.Add((id, type));
        }

        return entries;
    }
}
