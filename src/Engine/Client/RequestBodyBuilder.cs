using System.Buffers;
using System.Text.Json;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Client;

/// <summary>Serializes OpenAI-compatible streaming request bodies.</summary>
public static class RequestBodyBuilder
{
    /// <summary>
    /// The body for <paramref name="type"/>: <c>stream: true</c> with <c>stream_options.include_usage</c>, <c>max_tokens</c>
    /// and, unless opted out, vLLM's <c>ignore_eos</c> so the server produces exactly <paramref name="maxTokens"/> tokens.
    /// </summary>
    public static byte[] Build(RequestType type, string model, string prompt, int maxTokens, bool ignoreEos, bool stream = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        var buffer = new ArrayBufferWriter<byte>(prompt.Length + 256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model"u8, model);
            if (type == RequestType.ChatCompletions)
            {
                json.WriteStartArray("messages"u8);
                json.WriteStartObject();
                json.WriteString("role"u8, "user"u8);
                json.WriteString("content"u8, prompt);
                json.WriteEndObject();
                json.WriteEndArray();
            }
            else
            {
                json.WriteString("prompt"u8, prompt);
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
        }

        return buffer.WrittenSpan.ToArray();
    }
}
