namespace GuidellmFunctions.Engine.Configuration;

/// <summary>How a dataset file is written.</summary>
public enum DatasetFormat
{
    /// <summary>Detected from the first record: its JSON keys, or a CSV header.</summary>
    Auto,

    /// <summary>JSON lines with <c>conversations: [{from, value}]</c> (ShareGPT).</summary>
    ShareGpt,

    /// <summary>JSON lines with <c>messages: [{role, content}]</c> (OpenAI chat).</summary>
    OpenAi,

    /// <summary>JSON lines with <c>prompt</c> and an optional <c>output_tokens</c>.</summary>
    Plain,

    /// <summary>CSV with a header naming a prompt column (and optionally an output tokens column).</summary>
    Csv,

    /// <summary>Mooncake trace JSON lines: <c>timestamp</c> (ms), <c>input_length</c>, <c>output_length</c>, <c>hash_ids</c>.</summary>
    Mooncake,

    /// <summary>Azure LLM inference trace CSV: <c>TIMESTAMP, ContextTokens, GeneratedTokens</c>.</summary>
    AzureTrace,
}
