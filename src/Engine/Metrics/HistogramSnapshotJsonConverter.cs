using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GuidellmFunctions.Engine.Metrics;

/// <summary>
/// Reads and writes <see cref="HistogramSnapshot"/>, with <c>spans</c> and <c>counts</c> on one line each even in an
/// indented report: thousands of buckets, one per line, would make the report several times larger.
/// </summary>
internal sealed class HistogramSnapshotJsonConverter : JsonConverter<HistogramSnapshot>
{
    public override HistogramSnapshot Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a histogram is an object with layout, spans and counts");
        }

        string layout = HistogramSnapshot.LogLinearMicros;
        List<IReadOnlyList<int>> spans = [];
        List<long> counts = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "layout":
                    layout = reader.GetString() ?? layout;
                    break;
                case "spans":
                    Expect(ref reader, JsonTokenType.StartArray, "spans");
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        Expect(ref reader, JsonTokenType.StartArray, "a span");
                        var span = new List<int>(2);
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            span.Add(reader.GetInt32());
                        }

                        spans.Add(span);
                    }

                    break;
                case "counts":
                    Expect(ref reader, JsonTokenType.StartArray, "counts");
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        counts.Add(reader.GetInt64());
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new HistogramSnapshot { Layout = layout, Spans = spans, Counts = counts };
    }

    public override void Write(Utf8JsonWriter writer, HistogramSnapshot value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("layout"u8, value.Layout);
        writer.WritePropertyName("spans"u8);
        writer.WriteRawValue(Join(value.Spans.Select(s => "[" + string.Join(',', s.Select(i => i.ToString(CultureInfo.InvariantCulture))) + "]")), skipInputValidation: true);
        writer.WritePropertyName("counts"u8);
        writer.WriteRawValue(Join(value.Counts.Select(c => c.ToString(CultureInfo.InvariantCulture))), skipInputValidation: true);
        writer.WriteEndObject();
    }

    private static string Join(IEnumerable<string> items)
    {
        var text = new StringBuilder("[");
        foreach (var item in items)
        {
            if (text.Length > 1)
            {
                text.Append(',');
            }

            text.Append(item);
        }

        return text.Append(']').ToString();
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (reader.TokenType != type)
        {
            throw new JsonException($"histogram {what} must be a JSON array");
        }
    }
}
