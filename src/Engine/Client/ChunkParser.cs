using System.Text.Json;

namespace GuidellmFunctions.Engine.Client;

/// <summary>
/// Reads an OpenAI-compatible completion chunk (or full response) with <see cref="Utf8JsonReader"/>, straight from the
/// received bytes. Understands every server dialect met so far: role-only and usage-only chunks, empty <c>choices</c>
/// with Azure's filter results, usage beside the final choice (llama.cpp), repeated roles (TGI),
/// <c>reasoning_content</c>/<c>reasoning</c> deltas, and <c>{"error": ...}</c> objects.
/// </summary>
internal static class ChunkParser
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    /// <summary>Parses <paramref name="json"/>; false with <paramref name="error"/> set when it is not a JSON object.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out ChunkInfo chunk, out string? error) => TryParse(json, captureAnswer: false, out chunk, out error);

    /// <summary>
    /// Parses <paramref name="json"/>, keeping the answer's text in <see cref="ChunkInfo.Answer"/> when
    /// <paramref name="captureAnswer"/> (a conversation's turn, whose answer the next turn sends back); only then is text
    /// materialized.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> json, bool captureAnswer, out ChunkInfo chunk, out string? error)
    {
        chunk = ChunkInfo.Empty;
        error = null;
        try
        {
            var reader = new Utf8JsonReader(json, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "chunk is not a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    ReadChoices(ref reader, ref chunk, captureAnswer);
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    ReadUsage(ref reader, ref chunk);
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    chunk.Error = ReadError(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = "chunk has data after its JSON object";
                return false;
            }

            return true;
        }
        catch (JsonException ex)
        {
            error = $"invalid JSON in chunk at byte {ex.BytePositionInLine}: {ex.Message.Split('.')[0]}";
            return false;
        }
        catch (InvalidOperationException ex)
        {
            error = $"invalid JSON in chunk: {ex.Message}";
            return false;
        }
    }

    private static void ReadChoices(ref Utf8JsonReader reader, ref ChunkInfo chunk, bool captureAnswer)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("delta"u8) || reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    ReadDelta(ref reader, ref chunk, captureAnswer);
                }
                else if (reader.ValueTextEquals("text"u8))
                {
                    reader.Read();
                    AddContent(ref reader, ref chunk, answer: true, captureAnswer);
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    chunk.HasFinishReason |= reader.TokenType == JsonTokenType.String;
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    ReadUsage(ref reader, ref chunk);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
    }

    private static void ReadDelta(ref Utf8JsonReader reader, ref ChunkInfo chunk, bool captureAnswer)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                AddContent(ref reader, ref chunk, answer: true, captureAnswer);
            }
            else if (reader.ValueTextEquals("refusal"u8))
            {
                // A refusal is the answer a user waits for (TTFO), though not text to keep.
                reader.Read();
                AddContent(ref reader, ref chunk, answer: true, captureAnswer: false);
            }
            else if (reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8))
            {
                reader.Read();
                AddContent(ref reader, ref chunk, answer: false, captureAnswer: false);
            }
            else if (reader.ValueTextEquals("tool_calls"u8) || reader.ValueTextEquals("function_call"u8))
            {
                reader.Read();
                if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                {
                    var peek = reader;
                    var calls = peek.Read() && peek.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject);
                    chunk.HasContent |= calls;
                    chunk.HasAnswer |= calls;
                }

                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void AddContent(ref Utf8JsonReader reader, ref ChunkInfo chunk, bool answer, bool captureAnswer)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var length = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
            if (!reader.HasValueSequence && !System.Text.Unicode.Utf8.IsValid(reader.ValueSpan))
            {
                // The reader accepts any bytes inside a string; a server that sends broken UTF-8 is broken.
                throw new JsonException("content is not valid UTF-8", null, 0, reader.TokenStartIndex);
            }

            if (length > 0)
            {
                chunk.HasContent = true;
                chunk.HasAnswer |= answer;
                chunk.ContentBytes += length;
                if (captureAnswer)
                {
                    chunk.Answer += reader.GetString();
                }
            }
        }
        else
        {
            reader.Skip();
        }
    }

    private static void ReadUsage(ref Utf8JsonReader reader, ref ChunkInfo chunk)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var p) && p >= 0)
                {
                    chunk.PromptTokens = p;
                }
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var c) && c >= 0)
                {
                    chunk.CompletionTokens = c;
                }
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                reader.Read();
                ReadCompletionDetails(ref reader, ref chunk);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void ReadCompletionDetails(ref Utf8JsonReader reader, ref ChunkInfo chunk)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var reasoning = reader.ValueTextEquals("reasoning_tokens"u8);
            reader.Read();
            if (reasoning && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var r) && r >= 0)
            {
                chunk.ReasoningTokens = r;
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static string ReadError(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return Truncate(reader.GetString());
            case JsonTokenType.StartObject:
                string? message = null, type = null;
                int? code = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("message"u8))
                    {
                        reader.Read();
                        message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            reader.Skip();
                        }
                    }
                    else if (reader.ValueTextEquals("type"u8))
                    {
                        reader.Read();
                        type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            reader.Skip();
                        }
                    }
                    else if (reader.ValueTextEquals("code"u8))
                    {
                        reader.Read();
                        code = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var c) ? c : null;
                        reader.Skip();
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                var prefix = type is null ? string.Empty : type + (code is null ? ": " : $" ({code}): ");
                return Truncate(prefix + (message ?? "error object without a message"));
            case JsonTokenType.Null:
                return "error: null";
            default:
                reader.Skip();
                return "error object of unexpected type";
        }
    }

    /// <summary>Bounds an error text taken from a server reply, so a huge reply cannot flood reports.</summary>
    internal static string Truncate(string? text, int max = 512) =>
        text is null ? string.Empty : text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
}
