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
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var ids = new List<string>();
            foreach (var model in data.EnumerateArray())
            {
                if (model.ValueKind == JsonValueKind.Object && model.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    ids.Add(id.GetString()!);
                }
            }

            return ids.Count == 0 ? null : ids;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
