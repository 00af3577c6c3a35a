using System.Buffers;
using System.Text.Json;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Client;

/// <summary>Serializes OpenAI-compatible streaming request bodies.</summary>
internal static class RequestBodyBuilder
{
    // Utf8JsonWriter asks for room for the worst-case escaping of a string (six times its length), so a fresh buffer per
    // body would grow to several times the body; a buffer and writer kept per thread make a body cost its own bytes.
    private const int KeptBufferBytes = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    /// <summary>
    /// The body for <paramref name="type"/>: <c>stream: true</c> with <c>stream_options.include_usage</c>, <c>max_tokens</c>
    /// and, unless opted out, vLLM's <c>ignore_eos</c> so the server produces exactly <paramref name="maxTokens"/> tokens.
    /// </summary>
    public static byte[] Build(RequestType type, string model, string prompt, int maxTokens, bool ignoreEos, bool stream = true)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return Build(type, model, prompt, [], maxTokens, ignoreEos, stream);
    }

    /// <summary>
    /// The body for a list of <paramref name="messages"/> (a dataset's system and user messages, a conversation's history
    /// with the server's answers): sent as they are to chat completions; for text completions their contents joined by
    /// blank lines make the prompt.
    /// </summary>
    public static byte[] Build(RequestType type, string model, IReadOnlyList<ChatMessage> messages, int maxTokens, bool ignoreEos, bool stream = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return type == RequestType.ChatCompletions
            ? Build(type, model, null, messages, maxTokens, ignoreEos, stream)
            : Build(type, model, string.Join("\n\n", messages.Select(m => m.Content)), [], maxTokens, ignoreEos, stream);
    }

    /// <summary>
    /// The body for <paramref name="start"/> (a dataset's system messages) and one question given as
    /// <paramref name="questionJson"/>, a JSON string as a dataset file holds it (quotes and escapes included, already
    /// validated), copied into the body as it is rather than unescaped and escaped again. For text completions the question
    /// is the prompt, so <paramref name="start"/> must be empty.
    /// </summary>
    public static byte[] Build(RequestType type, string model, IReadOnlyList<ChatMessage> start, ReadOnlySpan<byte> questionJson, int maxTokens, bool ignoreEos, bool stream = true)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (type != RequestType.ChatCompletions && start.Count > 0)
        {
            throw new ArgumentException("a text completion's prompt is one text: join the messages instead", nameof(start));
        }

        return Build(type, model, null, start, maxTokens, ignoreEos, stream, questionJson);
    }

    private static byte[] Build(RequestType type, string model, string? prompt, IReadOnlyList<ChatMessage> messages, int maxTokens, bool ignoreEos, bool stream, ReadOnlySpan<byte> questionJson = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var json = t_json ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        try
        {
            json.WriteStartObject();
            json.WriteString("model"u8, model);
            if (type == RequestType.ChatCompletions)
            {
                json.WriteStartArray("messages"u8);
                if (prompt is not null)
                {
                    json.WriteStartObject();
                    json.WriteString("role"u8, "user"u8);
                    json.WriteString("content"u8, prompt);
                    json.WriteEndObject();
                }

                foreach (var message in messages)
                {
                    json.WriteStartObject();
                    json.WriteString("role"u8, message.Role);
                    json.WriteString("content"u8, message.Content);
                    json.WriteEndObject();
                }

                if (!questionJson.IsEmpty)
                {
                    json.WriteStartObject();
                    json.WriteString("role"u8, "user"u8);
                    json.WritePropertyName("content"u8);
                    json.WriteRawValue(questionJson, skipInputValidation: true);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }
            else if (!questionJson.IsEmpty)
            {
                json.WritePropertyName("prompt"u8);
                json.WriteRawValue(questionJson, skipInputValidation: true);
            }
            else
            {
                json.WriteString("prompt"u8, prompt ?? string.Empty);
            }

            json.WriteNumber("max_tokens"u8, maxTokens);
            json.WriteBoolean("stream"u8, stream);
            if (stream)
            {
                json.WriteStartObject("stream_options"u8);
                json.WriteBoolean("include_usage"u8, true);
                json.WriteEndObject();
            }

            if (ignoreEos)
            {
                json.WriteBoolean("ignore_eos"u8, true);
            }

            json.WriteEndObject();
            json.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity > KeptBufferBytes)
            {
                (t_buffer, t_json) = (null, null);
            }
        }
    }
}
