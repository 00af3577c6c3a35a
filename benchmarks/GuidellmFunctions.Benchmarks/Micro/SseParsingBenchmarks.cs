using System.Text;
using BenchmarkDotNet.Attributes;
using GuidellmFunctions.Engine.Client;

namespace GuidellmFunctions.Benchmarks.Micro;

/// <summary>
/// The hot path of a streamed response: SSE events read from the response stream and each chunk's JSON parsed. With
/// <see cref="MemoryDiagnoserAttribute"/>, allocated bytes per operation divided by <see cref="Chunks"/> is the allocation
/// per chunk (the reader's pooled buffers are rented once per stream).
/// </summary>
[MemoryDiagnoser]
public class SseParsingBenchmarks
{
    private byte[] _stream = [];

    /// <summary>Chunks per stream.</summary>
    [Params(1, 1000)]
    public int Chunks { get; set; }

    /// <summary>A vLLM-shaped stream: one token per chunk, a usage chunk, then [DONE].</summary>
    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Chunks; i++)
        {
            text.Append("data: {\"id\":\"chatcmpl-7f3a\",\"object\":\"chat.completion.chunk\",\"created\":1764295200,\"model\":\"mistralai/Mistral-7B-Instruct-v0.3\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        }

        text.Append("data: {\"id\":\"chatcmpl-7f3a\",\"object\":\"chat.completion.chunk\",\"created\":1764295200,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":512,\"total_tokens\":1512,\"completion_tokens\":1000}}\n\n");
        text.Append("data: [DONE]\n\n");
        _stream = Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Reads and parses the whole stream; returns the content chunks seen.</summary>
    [Benchmark]
    public async Task<int> ReadAndParse()
    {
        using var stream = new MemoryStream(_stream, writable: false);
        using var reader = new SseReader(stream, TimeProvider.System);
        var content = 0;
        while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false) == SseReadResult.Event)
        {
            if (!reader.Data.SequenceEqual("[DONE]"u8) && ChunkParser.TryParse(reader.Data, out var chunk, out _) && chunk.HasContent)
            {
                content++;
            }
        }

        return content;
    }
}
