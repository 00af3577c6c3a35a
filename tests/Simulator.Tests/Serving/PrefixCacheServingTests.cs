using System.Text;
using System.Text.Json;

namespace GuidellmFunctions.Simulator.Tests.Serving;

/// <summary>Prefix caching as a client sees it: <c>usage.prompt_tokens_details.cached_tokens</c>, the hit counters, the ground truth.</summary>
public sealed class PrefixCacheServingTests
{
    private static readonly string Document = string.Join(' ', Enumerable.Range(0, 400).Select(i => $"fact{i} is"));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_follow_up_sharing_the_prompt_reports_its_cached_tokens_in_whole_blocks(bool countTokens)
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 1, ItlMs = 1, KvCacheTokens = 50_000, CountPromptTokens = countTokens });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        var first = await UsageAsync(http, server.Options.Model, "p-0", Document + " And the first question?", stream: true);
        var hitsAfterFirst = server.Metrics.PrefixCacheHits;
        var second = await UsageAsync(http, server.Options.Model, "p-1", Document + " Now a second, different question.", stream: true);
        var whole = await UsageAsync(http, server.Options.Model, "p-2", Document + " A third one, answered whole.", stream: false);

        Assert.False(first.TryGetProperty("prompt_tokens_details", out _));
        Assert.Equal(0, hitsAfterFirst);
        var cached = second.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.Equal(0, cached % 16);
        Assert.InRange(cached, second.GetProperty("prompt_tokens").GetInt32() - 64, second.GetProperty("prompt_tokens").GetInt32() - 1);
        Assert.True(whole.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32() >= cached);
        Assert.Equal(cached + whole.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32(), server.Metrics.PrefixCacheHits);
        Assert.Equal(cached, server.GroundTruth.Find("p-1")!.CachedTokens);
    }

    private static async Task<JsonElement> UsageAsync(HttpClient http, string model, string id, string prompt, bool stream)
    {
        var body = JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = prompt } }, max_tokens = 2, stream, stream_options = stream ? new { include_usage = true } : null });
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Request-Id", id);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!stream)
        {
            return JsonDocument.Parse(text).RootElement.GetProperty("usage").Clone();
        }

        var usage = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).Where(e => e != "[DONE]")
            .Select(e => JsonDocument.Parse(e).RootElement).Last(e => e.TryGetProperty("usage", out _));
        return usage.GetProperty("usage").Clone();
    }
}
