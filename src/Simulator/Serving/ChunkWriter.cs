using System.Buffers;
using System.Text.Json;

namespace GuidellmFunctions.Simulator.Serving;

/// <summary>
/// Writes one response's bodies as vLLM's OpenAI server writes them: streamed chunks (<c>data: {...}\n\n</c>) and the
/// whole non-streaming answer, into one reusable buffer.
/// </summary>
internal sealed class ChunkWriter : IDisposable
{
    private static readonly string[] PlainWords = ["the", " model", " answers", " with", " tokens", " that", " arrive", " one", " by", " one", ",", " steady", " as", " rain", "."];
    private static readonly JsonEncodedText[] Words = [.. PlainWords.Select(w => JsonEncodedText.Encode(w))];

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;
    private readonly bool _chat;
    private readonly string _id;
    private readonly long _created;
    private readonly string _model;
    private readonly int _reasoning;

    public ChunkWriter(bool chat, string id, long created, string model, int reasoningTokens = 0)
    {
        _chat = chat;
        _reasoning = chat ? reasoningTokens : 0;
        _id = id;
        _created = created;
        _model = model;
        _json = new Utf8JsonWriter(_buffer);
    }

    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    public bool IsEmpty => _buffer.WrittenCount == 0;

    public void Clear() => _buffer.ResetWrittenCount();

    /// <summary>The first event of a chat stream, sent with the first token: the role and empty content.</summary>
    public void Role()
    {
        Begin();
        _json.WriteStartArray("choices"u8);
        _json.WriteStartObject();
        _json.WriteNumber("index"u8, 0);
        _json.WriteStartObject("delta"u8);
        _json.WriteString("role"u8, "assistant"u8);
        _json.WriteString("content"u8, ""u8);
        _json.WriteEndObject();
        _json.WriteNull("logprobs"u8);
        _json.WriteNull("finish_reason"u8);
        _json.WriteEndObject();
        _json.WriteEndArray();
        End();
    }

    /// <summary>Tokens <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/>; the last chunk carries the finish reason.</summary>
    public void Content(int start, int count, string? finishReason)
    {
        Begin();
        _json.WriteStartArray("choices"u8);
        _json.WriteStartObject();
        _json.WriteNumber("index"u8, 0);
        if (_chat)
        {
            _json.WriteStartObject("delta"u8);
            WriteText(start + count <= _reasoning ? "reasoning"u8 : "content"u8, start, count);
            _json.WriteEndObject();
        }
        else
        {
            WriteText("text"u8, start, count);
        }

        _json.WriteNull("logprobs"u8);
        if (finishReason is null)
        {
            _json.WriteNull("finish_reason"u8);
            if (!_chat)
            {
                _json.WriteNull("stop_reason"u8);
            }
        }
        else
        {
            _json.WriteString("finish_reason"u8, finishReason);
            _json.WriteNull("stop_reason"u8);
        }

        _json.WriteEndObject();
        _json.WriteEndArray();
        End();
    }

    /// <summary>The last event before <c>[DONE]</c> when the client asked for usage: no choices, the usage.</summary>
    public void Usage(int promptTokens, int completionTokens, int cachedTokens)
    {
        Begin();
        _json.WriteStartArray("choices"u8);
        _json.WriteEndArray();
        WriteUsage(promptTokens, completionTokens, cachedTokens);
        End();
    }

    public void Done() => _buffer.Write("data: [DONE]\n\n"u8);

    /// <summary>An <c>{"error": ...}</c> event inside a 200 stream, as vLLM sends when the engine fails mid-stream.</summary>
    public void Error(string message)
    {
        _buffer.Write("data: "u8);
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteStartObject("error"u8);
        _json.WriteString("object"u8, "error"u8);
        _json.WriteString("message"u8, message);
        _json.WriteString("type"u8, "InternalServerError"u8);
        _json.WriteNumber("code"u8, 500);
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.Flush();
        _buffer.Write("\n\n"u8);
    }

    /// <summary>The whole answer of a non-streaming request.</summary>
    public void Whole(int completionTokens, string finishReason, int promptTokens, int cachedTokens)
    {
        _json.Reset(_buffer);
        Header(_chat ? "chat.completion" : "text_completion");
        _json.WriteStartArray("choices"u8);
        _json.WriteStartObject();
        _json.WriteNumber("index"u8, 0);
        if (_chat)
        {
            _json.WriteStartObject("message"u8);
            _json.WriteString("role"u8, "assistant"u8);
            WriteText("content"u8, 0, completionTokens);
            _json.WriteStartArray("tool_calls"u8);
            _json.WriteEndArray();
            _json.WriteEndObject();
        }
        else
        {
            WriteText("text"u8, 0, completionTokens);
        }

        _json.WriteNull("logprobs"u8);
        _json.WriteString("finish_reason"u8, finishReason);
        _json.WriteNull("stop_reason"u8);
        _json.WriteEndObject();
        _json.WriteEndArray();
        WriteUsage(promptTokens, completionTokens, cachedTokens);
        _json.WriteEndObject();
        _json.Flush();
    }

    public void Dispose() => _json.Dispose();

    private void Begin()
    {
        _buffer.Write("data: "u8);
        _json.Reset(_buffer);
        Header(_chat ? "chat.completion.chunk" : "text_completion");
    }

    private void End()
    {
        _json.WriteEndObject();
        _json.Flush();
        _buffer.Write("\n\n"u8);
    }

    private void Header(string objectName)
    {
        _json.WriteStartObject();
        _json.WriteString("id"u8, _id);
        _json.WriteString("object"u8, objectName);
        _json.WriteNumber("created"u8, _created);
        _json.WriteString("model"u8, _model);
    }

    private void WriteUsage(int promptTokens, int completionTokens, int cachedTokens)
    {
        // vLLM's field order; the details only when the prefix cache saved something (--enable-prompt-tokens-details).
        _json.WriteStartObject("usage"u8);
        _json.WriteNumber("prompt_tokens"u8, promptTokens);
        _json.WriteNumber("total_tokens"u8, promptTokens + completionTokens);
        _json.WriteNumber("completion_tokens"u8, completionTokens);
        if (cachedTokens > 0)
        {
            _json.WriteStartObject("prompt_tokens_details"u8);
            _json.WriteNumber("cached_tokens"u8, cachedTokens);
            _json.WriteEndObject();
        }

        if (_reasoning > 0)
        {
            _json.WriteStartObject("completion_tokens_details"u8);
            _json.WriteNumber("reasoning_tokens"u8, Math.Min(_reasoning, completionTokens));
            _json.WriteEndObject();
        }

        _json.WriteEndObject();
    }

    private void WriteText(ReadOnlySpan<byte> property, int start, int count)
    {
        if (count == 1)
        {
            _json.WriteString(property, Words[start % Words.Length]);
            return;
        }

        var text = new System.Text.StringBuilder(count * 8);
        for (var i = 0; i < count; i++)
        {
            text.Append(PlainWords[(start + i) % PlainWords.Length]);
        }

        _json.WriteString(property, text.ToString());
    }
}
