using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>A queue message's JSON value as the YAML node a setting reads, so an override is read exactly as the YAML is.</summary>
internal static class JsonYaml
{
    /// <summary>The node for <paramref name="value"/>; null for JSON null (or a value nested in it).</summary>
    public static YamlNode? ToNode(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return new YamlScalarNode(value.GetString());
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                return new YamlScalarNode(value.GetRawText());
            case JsonValueKind.Object:
                var map = new YamlMappingNode();
                foreach (var property in value.EnumerateObject())
                {
                    if (ToNode(property.Value) is not { } child)
                    {
                        return null;
                    }

                    map.Add(property.Name, child);
                }

                return map;
            case JsonValueKind.Array:
                var list = new YamlSequenceNode();
                foreach (var item in value.EnumerateArray())
                {
                    if (ToNode(item) is not { } child)
                    {
                        return null;
                    }

                    list.Add(child);
                }

                return list;
            default:
                return null;
        }
    }
}
