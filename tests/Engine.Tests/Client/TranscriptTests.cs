using System.Net;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Engine.Tests.Client;

/// <summary>Recorded streams of each server dialect, replayed at several read sizes through the real client and executor.</summary>
public sealed class TranscriptTests
{
    public static TheoryData<string, RequestStatus, FailureReason?, int, int, int> Dialects => new()
    {
        // file, status, reason, content chunks, usage output tokens (-1 none), usage prompt tokens
        { "vllm-chat.sse", RequestStatus.Successful, null, 3, 3, 12 },
        { "openai-chat.sse", RequestStatus.Successful, null, 2, 2, 9 },
        { "azure-openai.sse", RequestStatus.Successful, null, 2, -1, -1 },
        { "llamacpp.sse", RequestStatus.Successful, null, 3, 3, 7 },
        { "tgi.sse", RequestStatus.Successful, null, 4, 4, 4 },
        { "ollama.sse", RequestStatus.Successful, null, 2, 2, 26 },
        { "sglang-crlf-ping.sse", RequestStatus.Successful, null, 2, 2, 10 },
        { "reasoning-tools.sse", RequestStatus.Successful, null, 2, 9, 5 },
        { "vllm-reasoning.sse", RequestStatus.Successful, null, 7, 14, 14 },
        { "openai-reasoning.sse", RequestStatus.Successful, null, 2, 203, 13 },
        { "vllm-text.sse", RequestStatus.Successful, null, 2, 2, 3 },
        { "error-in-stream.sse", RequestStatus.Failed, FailureReason.StreamError, 1, -1, -1 },
        { "cut-before-done.sse", RequestStatus.Failed, FailureReason.StreamError, 1, -1, -1 },
        { "invalid-json.sse", RequestStatus.Failed, FailureReason.Protocol, 1, -1, -1 },
    };

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Each_dialect_is_measured_correctly_at_any_read_size(string file, RequestStatus status, FailureReason? reason, int chunks, int usageOutput, int usagePrompt)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Client", "Transcripts", file));
        foreach (var sizes in (int[][])[[1], [7], [3, 50], [bytes.Length]])
        {
            var result = await Execute(ScriptedHandler.Sse(bytes, sizes));

            Assert.Equal(status, result.Status);
            Assert.Equal(reason, result.Reason);
            Assert.Equal(chunks, result.ContentChunks);
            Assert.Equal(usageOutput, result.UsageOutputTokens);
            Assert.Equal(usagePrompt, result.UsagePromptTokens);
            Assert.Equal(Math.Max(0, chunks - 1), result.ItlCount);
            Assert.NotNull(result.TtftMs);
        }
    }

    public static TheoryData<string, int, int, int> Reasoning => new()
    {
        // file, event (from 0) of the first content-bearing chunk, of the first answer chunk, reasoning tokens reported (-1 none)
        { "vllm-reasoning.sse", 1, 5, -1 },
        { "reasoning-tools.sse", 1, 2, -1 },
        { "openai-reasoning.sse", 1, 1, 192 },
        { "vllm-chat.sse", 1, 1, -1 },
    };

    [Theory]
    [MemberData(nameof(Reasoning))]
    public async Task Ttfo_is_later_than_ttft_by_the_reasoning_part(string file, int firstContent, int firstAnswer, int reasoningTokens)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Client", "Transcripts", file));
        var time = new FakeTimeProvider();
        var gap = TimeSpan.FromMilliseconds(25);
        var handler = new ScriptedHandler((_, _) => Task.FromResult(ScriptedHandler.Reply(HttpStatusCode.OK, new StreamContent(new PacedStream(bytes, gap, time)), "text/event-stream")));

        var result = await Execute(handler, time: time);

        Assert.Equal(RequestStatus.Successful, result.Status);
        Assert.Equal((firstContent + 1) * 25.0, result.TtftMs!.Value, 6);
        Assert.Equal((firstAnswer + 1) * 25.0, result.TtfoMs!.Value, 6);
        Assert.Equal((firstAnswer - firstContent) * 25.0, result.TtfoMs.Value - result.TtftMs.Value, 6);
        Assert.Equal(reasoningTokens, result.UsageReasoningTokens);
    }

    [Fact]
    public async Task Output_tokens_fall_back_to_content_chunks_and_say_so()
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Client", "Transcripts", "azure-openai.sse"));

        var result = await Execute(ScriptedHandler.Sse(bytes));

        Assert.Equal(2, result.OutputTokens);
        Assert.Equal(TokenSource.Chunks, result.OutputTokenSource);
    }

    [Fact]
    public async Task The_error_object_message_is_kept()
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Client", "Transcripts", "error-in-stream.sse"));

        var result = await Execute(ScriptedHandler.Sse(bytes));

        Assert.Contains("CUDA out of memory", result.Error, StringComparison.Ordinal);
        Assert.Contains("InternalServerError", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, FailureReason.Http4xx)]
    [InlineData(401, FailureReason.Http4xx)]
    [InlineData(429, FailureReason.Http429)]
    [InlineData(500, FailureReason.Http5xx)]
    [InlineData(503, FailureReason.Http5xx)]
    public async Task Http_errors_are_classified_with_their_body_and_retry_after(int status, FailureReason reason)
    {
        var handler = new ScriptedHandler((_, _) =>
        {
            var response = ScriptedHandler.Reply((HttpStatusCode)status, new StringContent("{\"error\":{\"message\":\"nope sk-secret-123\"}}"), "application/json");
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(3));
            return Task.FromResult(response);
        });

        var result = await Execute(handler, new Secret("sk-secret-123"));

        Assert.Equal(RequestStatus.Failed, result.Status);
        Assert.Equal(reason, result.Reason);
        Assert.Equal(status, result.HttpStatus);
        Assert.Equal(TimeSpan.FromSeconds(3), result.RetryAfter);
        Assert.Contains($"HTTP {status}", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret-123", result.Error, StringComparison.Ordinal);
        Assert.Contains("***", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_streamed_json_body_counts_as_one_chunk()
    {
        const string body = """{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"whole answer"},"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}""";
        var handler = new ScriptedHandler((_, _) => Task.FromResult(ScriptedHandler.Reply(HttpStatusCode.OK, new StringContent(body), "application/json")));

        var result = await Execute(handler);

        Assert.Equal(RequestStatus.Successful, result.Status);
        Assert.Equal(7, result.OutputTokens);
        Assert.Equal(1, result.ContentChunks);
    }

    [Fact]
    public async Task The_request_carries_stream_options_max_tokens_and_bearer_key()
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Client", "Transcripts", "vllm-chat.sse"));
        var handler = ScriptedHandler.Sse(bytes);
        string? body = null;
        var capture = new ScriptedHandler(async (request, ct) =>
        {
            body = await request.Content!.ReadAsStringAsync(ct);
            Assert.Equal("Bearer k-123456", request.Headers.Authorization!.ToString());
            Assert.Equal("req-1", request.Headers.GetValues("X-Request-Id").Single());
            return await handler.Respond(request, ct);
        });

        await Execute(capture, new Secret("k-123456"));

        Assert.Contains("\"stream\":true", body, StringComparison.Ordinal);
        Assert.Contains("\"stream_options\":{\"include_usage\":true}", body, StringComparison.Ordinal);
        Assert.Contains("\"max_tokens\":16", body, StringComparison.Ordinal);
        Assert.Contains("\"ignore_eos\":true", body, StringComparison.Ordinal);
        Assert.Contains("\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]", body, StringComparison.Ordinal);
    }

    private static async Task<RequestResult> Execute(HttpMessageHandler handler, Secret? key = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var executor = new RequestExecutor(new OpenAiStreamingClient(http, time), time);
        var body = RequestBodyBuilder.Build(RequestType.ChatCompletions, "m", "hi", 16, ignoreEos: true);
        var request = new CompletionRequest(new Uri("http://127.0.0.1:9/v1/chat/completions"), body, "req-1", key);
        return await executor.ExecuteAsync(request, 0, time.GetTimestamp(), 1, 16, TimeSpan.FromSeconds(30), CancellationToken.None);
    }
}
