using System.Globalization;
using System.Text;
using System.Text.Json;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using nietras.SeparatedValues;

namespace GuidellmFunctions.Engine.Data;

/// <summary>Reads one record of each dataset format; a record that does not fit is refused with the reason.</summary>
internal sealed class RecordParser
{
    private static readonly SepReaderOptions Csv = Sep.New(',').Reader(o => o with { HasHeader = false, Unescape = true });
    private static readonly string[] AzureColumns = ["TIMESTAMP", "ContextTokens", "GeneratedTokens"];
    private static readonly string[] Assistants = ["gpt", "assistant", "chatgpt", "bard", "model", "bot"];
    private static readonly string[] Users = ["human", "user"];

    private readonly DatasetFormat _format;
    private readonly int[] _columns;

    private RecordParser(DatasetFormat format, int[] columns)
    {
        _format = format;
        _columns = columns;
    }

    /// <summary>The format it reads.</summary>
    public DatasetFormat Format => _format;

    /// <summary>True when the file is CSV (its first record is the header).</summary>
    public static bool IsCsv(DatasetFormat format) => format is DatasetFormat.Csv or DatasetFormat.AzureTrace;

    /// <summary>
    /// The parser for <paramref name="spec"/>'s file, whose first non-blank record is <paramref name="first"/>: the format as
    /// given, or told from that record (its JSON keys or its CSV header); a CSV format takes its columns from the header.
    /// </summary>
    /// <exception cref="DatasetException">The format cannot be told, or the header lacks a column.</exception>
    public static RecordParser Create(DatasetSpec spec, ReadOnlySpan<byte> first)
    {
        var format = spec.Format;
        var trimmed = first.TrimStart(" \t"u8);
        var json = trimmed.Length > 0 && trimmed[0] == (byte)'{';
        if (format == DatasetFormat.Auto)
        {
            format = json ? DetectJson(spec, first) : DetectCsv(spec, first);
        }

        if (!IsCsv(format))
        {
            return new RecordParser(format, []);
        }

        var header = Fields(first) ?? throw new DatasetException($"dataset {spec.Location}: the first line is not a CSV header");
        int Column(string name, bool required)
        {
            var at = Array.FindIndex(header, h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
            return at >= 0 || !required ? at : throw new DatasetException($"dataset {spec.Location}: the CSV header has no column '{name}' (columns: {string.Join(", ", header)})");
        }

        return format == DatasetFormat.AzureTrace
            ? new RecordParser(format, [.. AzureColumns.Select(c => Column(c, required: true))])
            : new RecordParser(format, [Column(spec.PromptColumn, required: true), Column(spec.OutputTokensColumn, required: false)]);
    }

    /// <summary>Reads <paramref name="bytes"/>; null with <paramref name="error"/> when the record does not fit the format.</summary>
    public DatasetRecord? Parse(long line, ReadOnlySpan<byte> bytes, out string? error)
    {
        error = null;
        try
        {
            var record = IsCsv(_format) ? ParseCsv(bytes, out error) : ParseJson(bytes, out error);
            return record is null ? null : record with { Line = line };
        }
        catch (JsonException ex)
        {
            error = $"not valid JSON ({ex.Message.Split('.')[0]})";
            return null;
        }
        catch (InvalidOperationException ex)
        {
            error = $"unexpected value ({ex.Message.Split('.')[0]})";
            return null;
        }
    }

    private static DatasetFormat DetectJson(DatasetSpec spec, ReadOnlySpan<byte> first)
    {
        try
        {
            using var doc = JsonDocument.Parse(first.ToArray());
            var root = doc.RootElement;
            return root.TryGetProperty("conversations", out _) ? DatasetFormat.ShareGpt
                : root.TryGetProperty("messages", out _) ? DatasetFormat.OpenAi
                : root.TryGetProperty("input_length", out _) ? DatasetFormat.Mooncake
                : root.TryGetProperty("prompt", out _) ? DatasetFormat.Plain
                : throw Unknown(spec, "its first record is a JSON object without conversations, messages, prompt or input_length");
        }
        catch (JsonException)
        {
            throw Unknown(spec, "its first line starts like JSON but is not valid JSON");
        }
    }

    private static DatasetFormat DetectCsv(DatasetSpec spec, ReadOnlySpan<byte> first)
    {
        var header = Fields(first) ?? throw Unknown(spec, "its first line is neither a JSON object nor a CSV header");
        bool Has(string name) => header.Any(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
        return AzureColumns.All(Has) ? DatasetFormat.AzureTrace
            : Has(spec.PromptColumn) ? DatasetFormat.Csv
            : throw Unknown(spec, $"its first line is neither a JSON object nor a CSV header with a '{spec.PromptColumn}' column or {string.Join(", ", AzureColumns)}");
    }

    private static DatasetException Unknown(DatasetSpec spec, string why) =>
        new($"dataset {spec.Location}: cannot tell its format: {why}; set format to one of {string.Join(", ", DatasetNames.Formats.All.Skip(1))}");

    private static string[]? Fields(ReadOnlySpan<byte> bytes)
    {
        using var reader = Csv.FromText(Encoding.UTF8.GetString(bytes));
        if (!reader.MoveNext())
        {
            return null;
        }

        var row = reader.Current;
        var fields = new string[row.ColCount];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = row[i].ToString();
        }

        return reader.MoveNext() ? null : fields;
    }

    private DatasetRecord? ParseCsv(ReadOnlySpan<byte> bytes, out string? error)
    {
        error = null;
        var fields = Fields(bytes);
        string? Field(int column) => fields is not null && column >= 0 && column < fields.Length ? fields[column] : null;
        if (fields is null)
        {
            error = "not one CSV row";
            return null;
        }

        if (_format == DatasetFormat.AzureTrace)
        {
            if (!DateTime.TryParse(Field(_columns[0]), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            {
                error = $"TIMESTAMP '{Field(_columns[0])}' is not a date and time";
                return null;
            }

            var context = Positive(Field(_columns[1]), "ContextTokens", ref error);
            var generated = Positive(Field(_columns[2]), "GeneratedTokens", ref error);
            return error is null ? new DatasetRecord { TimestampMs = (time - DateTime.UnixEpoch).TotalMilliseconds, InputLength = context, OutputTokens = generated } : null;
        }

        var prompt = Field(_columns[0]);
        if (string.IsNullOrEmpty(prompt))
        {
            error = "empty prompt";
            return null;
        }

        int? output = null;
        if (_columns[1] >= 0 && Field(_columns[1]) is { Length: > 0 } text)
        {
            output = Positive(text, "output tokens column", ref error);
        }

        return error is null ? new DatasetRecord { Messages = [new ChatMessage(ChatMessage.User, prompt)], OutputTokens = output } : null;
    }

    private DatasetRecord? ParseJson(ReadOnlySpan<byte> bytes, out string? error)
    {
        error = null;
        var reader = new Utf8JsonReader(bytes);
        using var doc = JsonDocument.ParseValue(ref reader);
        if (reader.Read())
        {
            error = "data after the JSON object";
            return null;
        }

        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "not a JSON object";
            return null;
        }

        return _format switch
        {
            DatasetFormat.ShareGpt => Conversation(root, "conversations", "from", "value", out error),
            DatasetFormat.OpenAi => Conversation(root, "messages", "role", "content", out error) is { } chat ? chat with { OutputTokens = Int(root, "max_tokens") ?? Int(root, "max_completion_tokens") } : null,
            DatasetFormat.Mooncake => Trace(root, out error),
            _ => Plain(root, out error),
        };
    }

    private static DatasetRecord? Plain(JsonElement root, out string? error)
    {
        error = null;
        if (!root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind != JsonValueKind.String || prompt.GetString() is not { Length: > 0 } text)
        {
            error = "no prompt (a non-empty string)";
            return null;
        }

        var output = root.TryGetProperty("output_tokens", out var o) ? Positive(o, "output_tokens", ref error) : (int?)null;
        return error is null ? new DatasetRecord { Messages = [new ChatMessage(ChatMessage.User, text)], QuestionJson = Raw(prompt), OutputTokens = output } : null;
    }

    private static DatasetRecord? Conversation(JsonElement root, string listName, string roleName, string textName, out string? error)
    {
        error = null;
        if (!root.TryGetProperty(listName, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            error = $"no {listName} list";
            return null;
        }

        var messages = new List<ChatMessage>();
        byte[]? questionJson = null;
        var asked = false;
        foreach (var item in list.EnumerateArray())
        {
            var role = item.ValueKind == JsonValueKind.Object && item.TryGetProperty(roleName, out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()!.ToLowerInvariant() : null;
            var text = item.ValueKind == JsonValueKind.Object && item.TryGetProperty(textName, out var t) ? Text(t) : null;
            if (role is null || text is null)
            {
                error = $"a message of {listName} has no {roleName} or no text {textName}";
                return null;
            }

            var kind = Users.Contains(role) ? ChatMessage.User : Assistants.Contains(role) ? ChatMessage.Assistant : role == "system" ? ChatMessage.System : null;
            if (kind == ChatMessage.User && !asked)
            {
                asked = true;
                questionJson = item.GetProperty(textName) is { ValueKind: JsonValueKind.String } question ? Raw(question) : null;
            }

            if (kind is not null)
            {
                messages.Add(new ChatMessage(kind, text));
            }
        }

        if (!messages.Any(m => m.Role == ChatMessage.User && m.Content.Length > 0))
        {
            error = $"{listName} has no user message";
            return null;
        }

        return new DatasetRecord { Messages = messages, QuestionJson = questionJson };
    }

    private static DatasetRecord? Trace(JsonElement root, out string? error)
    {
        error = null;
        if (!root.TryGetProperty("timestamp", out var ts) || ts.ValueKind != JsonValueKind.Number || !ts.TryGetDouble(out var timestamp) || timestamp < 0)
        {
            error = "no timestamp (milliseconds >= 0)";
            return null;
        }

        var input = root.TryGetProperty("input_length", out var i) ? Positive(i, "input_length", ref error) : Missing("input_length", ref error);
        var output = root.TryGetProperty("output_length", out var o) ? Positive(o, "output_length", ref error) : Missing("output_length", ref error);
        List<long>? hashes = null;
        if (root.TryGetProperty("hash_ids", out var h))
        {
            if (h.ValueKind != JsonValueKind.Array || h.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out _)))
            {
                error ??= "hash_ids is not a list of whole numbers";
            }
            else
            {
                hashes = [.. h.EnumerateArray().Select(x => x.GetInt64())];
            }
        }

        return error is null ? new DatasetRecord { TimestampMs = timestamp, InputLength = input, OutputTokens = output, HashIds = hashes } : null;
    }

    /// <summary>A JSON string as the record writes it (quotes and escapes); the document was validated when parsed.</summary>
    private static byte[] Raw(JsonElement text) => System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(text).ToArray();

    private static string? Text(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        // OpenAI's content parts: the text parts, joined.
        return value.ValueKind == JsonValueKind.Array
            ? string.Concat(value.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String).Select(p => p.GetProperty("text").GetString()))
            : null;
    }

    private static int? Int(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n > 0 ? n : null;

    private static int Missing(string name, ref string? error)
    {
        error ??= $"no {name}";
        return 0;
    }

    private static int Positive(JsonElement value, string name, ref string? error)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= 1)
        {
            return n;
        }

        error ??= $"{name} is not a whole number >= 1";
        return 0;
    }

    private static int Positive(string? text, string name, ref string? error)
    {
        if (int.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1)
        {
            return n;
        }

        error ??= $"{name} '{text}' is not a whole number >= 1";
        return 0;
    }
}
