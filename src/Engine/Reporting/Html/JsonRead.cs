using System.Globalization;
using System.Text.Json;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>Reads a report's JSON tolerantly: a missing, null or mistyped member reads as absent, never as an error.</summary>
internal static class JsonRead
{
    /// <summary>The member <paramref name="name"/> of an object, or null when absent, null, or when <paramref name="element"/> is no object.</summary>
    public static JsonElement? Get(this JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>The member at a dotted <paramref name="path"/> (<c>summary.ttftMs</c>).</summary>
    public static JsonElement? Path(this JsonElement? element, string path)
    {
        foreach (var part in path.Split('.'))
        {
            element = element.Get(part);
        }

        return element;
    }

    public static double? Number(this JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        { ValueKind: JsonValueKind.String } e when double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => v,
        _ => null,
    };

    public static double? Number(this JsonElement? element, string name) => element.Get(name).Number();

    public static long? Integer(this JsonElement? element, string name) => element.Get(name).Number() is { } v && double.IsFinite(v) ? (long)Math.Round(v) : null;

    public static string? Text(this JsonElement? element, string name) => element.Get(name) switch
    {
        { ValueKind: JsonValueKind.String } e => e.GetString(),
        { ValueKind: JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } e => e.GetRawText(),
        _ => null,
    };

    public static bool? Flag(this JsonElement? element, string name) => element.Get(name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };

    public static DateTimeOffset? Time(this JsonElement? element, string name) =>
        element.Text(name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary>The items of an array member; empty when absent or not an array.</summary>
    public static IReadOnlyList<JsonElement> Items(this JsonElement? element, string name) =>
        element.Get(name) is { ValueKind: JsonValueKind.Array } array ? [.. array.EnumerateArray()] : [];

    /// <summary>The members of an object member; empty when absent or not an object.</summary>
    public static IReadOnlyList<(string Name, JsonElement Value)> Members(this JsonElement? element, string name) =>
        element.Get(name) is { ValueKind: JsonValueKind.Object } obj ? [.. obj.EnumerateObject().Select(p => (p.Name, p.Value))] : [];

    /// <summary>
    /// Every scalar under <paramref name="element"/>, with dotted names, arrays of scalars joined: how a section this
    /// renderer has no chart for is still shown. Nested objects go <paramref name="depth"/> levels deep.
    /// </summary>
    public static IEnumerable<(string Name, string Value)> Scalars(JsonElement? element, string prefix = "", int depth = 3)
    {
        if (element is not { ValueKind: JsonValueKind.Object } obj)
        {
            yield break;
        }

        foreach (var p in obj.EnumerateObject())
        {
            var name = prefix.Length == 0 ? p.Name : prefix + "." + p.Name;
            switch (p.Value.ValueKind)
            {
                case JsonValueKind.Object when depth > 1:
                    foreach (var inner in Scalars(p.Value, name, depth - 1))
                    {
                        yield return inner;
                    }

                    break;
                case JsonValueKind.Array when p.Value.EnumerateArray().All(IsScalar):
                    yield return (name, string.Join(", ", p.Value.EnumerateArray().Select(Format)));
                    break;
                case JsonValueKind.Array:
                    yield return (name, $"{p.Value.GetArrayLength()} items");
                    break;
                case JsonValueKind.Object:
                    break;
                default:
                    yield return (name, Format(p.Value));
                    break;
            }
        }
    }

    private static bool IsScalar(JsonElement e) => e.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array);

    private static string Format(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString() ?? string.Empty,
        JsonValueKind.Number => Html.Figures.Number(e.GetDouble()),
        JsonValueKind.Null => "null",
        _ => e.GetRawText(),
    };
}
