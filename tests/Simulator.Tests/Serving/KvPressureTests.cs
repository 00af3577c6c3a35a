using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Simulator.Tests.Serving;

/// <summary>A real server whose engine runs on a fake clock, driven past its KV budget by real HTTP streams.</summary>
public sealed class KvPressureTests
{
    [Fact]
    public async Task A_burst_beyond_the_kv_budget_shows_waiting_and_preemptions_on_metrics_and_every_stream_still_completes()
    {
        var time = new FakeTimeProvider();
        // Prompts of 40 bytes are 10 tokens (one block of 16); with 40 tokens to generate a request ends holding four
        // blocks, the whole cache: three at once cannot all grow, so the newest are preempted and wait to be recomputed.
        var options = new SimulatorOptions { TtftMs = 1, ItlMs = 1, ItlLoadFactor = 0, KvCacheTokens = 64, MaxModelLen = 64, CountPromptTokens = false };
        await using var server = await SimulatorServer.StartAsync(options, time);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

        var streams = Enumerable.Range(0, 3).Select(i => StreamAsync(http, server.Options.Model, $"k-{i}", $"request {i} asks for forty tokens now.")).ToList();
        for (var i = 0; i < 3000 && server.Metrics.Running + server.Metrics.Waiting < 3; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(3, server.Metrics.Running + server.Metrics.Waiting);
        string? underPressure = null;
        for (var ms = 0; ms < 400; ms++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            if (underPressure is null && server.Metrics.Waiting > 0)
            {
                underPressure = await http.GetStringAsync("metrics");
            }
        }

        var bodies = await Task.WhenAll(streams).WaitAsync(TimeSpan.FromSeconds(60));
        var after = await http.GetStringAsync("metrics");

        Assert.NotNull(underPressure);
        Assert.True(Value(underPressure, "vllm:num_requests_waiting") >= 1);
        Assert.True(Value(underPressure, "vllm:kv_cache_usage_perc") >= 0.75);
        Assert.True(Value(after, "vllm:num_preemptions_total") >= 1);
        Assert.Equal(0, Value(after, "vllm:num_requests_waiting") + Value(after, "vllm:num_requests_running"));
        Assert.Equal(0, Value(after, "vllm:kv_cache_usage_perc"));
        Assert.All(bodies, body => Assert.Equal(40, Usage(body)));
        Assert.Contains(server.GroundTruth.Records, r => r.Preemptions > 0);
        Assert.All(server.GroundTruth.Records, r => Assert.Equal("ok", r.Outcome));
    }

    private static async Task<string> StreamAsync(HttpClient http, string model, string id, string prompt)
    {
        var body = JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = prompt } }, max_tokens = 40, ignore_eos = true, stream = true, stream_options = new { include_usage = true } });
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Request-Id", id);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return await response.Content.ReadAsStringAsync();
    }

    private static int Usage(string body) => body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).Where(e => e != "[DONE]")
        .Select(e => JsonDocument.Parse(e).RootElement).Single(e => e.TryGetProperty("usage", out _)).GetProperty("usage").GetProperty("completion_tokens").GetInt32();

    private static double Value(string metrics, string name)
    {
        var match = Regex.Match(metrics, "^" + Regex.Escape(name) + @"\{[^}]*\} (\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{name} not on /metrics");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
