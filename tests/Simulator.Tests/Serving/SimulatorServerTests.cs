using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using GuidellmFunctions.Simulator.Faults;

namespace GuidellmFunctions.Simulator.Tests.Serving;

public sealed class SimulatorServerTests
{
    private static StringContent Chat(string model, bool stream, int maxTokens = 4, bool usage = true) => new(
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Hello there, how are you?"}],"max_tokens":{{maxTokens}},"stream":{{(stream ? "true" : "false")}},"stream_options":{"include_usage":{{(usage ? "true" : "false")}}},"ignore_eos":true}""",
        Encoding.UTF8, "application/json");

    [Fact]
    public async Task Streams_like_vllm_role_chunk_content_the_last_with_its_finish_reason_usage_done()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 1, ItlMs = 1 });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.PostAsync("v1/chat/completions", Chat(server.Options.Model, stream: true, maxTokens: 3));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).ToList();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(6, events.Count);
        var role = JsonDocument.Parse(events[0]).RootElement.GetProperty("choices")[0];
        Assert.Equal("assistant", role.GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(string.Empty, role.GetProperty("delta").GetProperty("content").GetString());
        var content = events.Skip(1).Take(3).Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0]).ToList();
        Assert.All(content, c => Assert.False(string.IsNullOrEmpty(c.GetProperty("delta").GetProperty("content").GetString())));
        Assert.Equal([JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.String], content.Select(c => c.GetProperty("finish_reason").ValueKind));
        Assert.Equal("length", content[2].GetProperty("finish_reason").GetString());
        var usage = JsonDocument.Parse(events[4]).RootElement;
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.Equal(3, usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(7, usage.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(10, usage.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.False(usage.GetProperty("usage").TryGetProperty("prompt_tokens_details", out _));
        Assert.Equal("[DONE]", events[5]);
    }

    [Fact]
    public async Task Text_completions_stream_text_choices_without_a_role_chunk_and_end_at_eos_with_stop()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 1, ItlMs = 1, OutputTokens = 2 });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var body = $$"""{"model":"{{server.Options.Model}}","prompt":"Once upon a time","max_tokens":50,"stream":true}""";

        using var response = await http.PostAsync("v1/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).ToList();

        Assert.Equal(3, events.Count);
        var choices = events.Take(2).Select(e => JsonDocument.Parse(e).RootElement).ToList();
        Assert.All(choices, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
        Assert.All(choices, c => Assert.False(string.IsNullOrEmpty(c.GetProperty("choices")[0].GetProperty("text").GetString())));
        Assert.Equal("stop", choices[1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal("[DONE]", events[2]);
    }

    [Fact]
    public async Task With_tls_it_serves_https_with_a_certificate_for_its_host_offering_http_1_1_and_http_2()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 1, ItlMs = 1, Tls = true });
        X509Certificate2? presented = null;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    presented = certificate is null ? null : new X509Certificate2(certificate);
                    return true;
                },
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = server.BaseAddress, DefaultRequestVersion = HttpVersion.Version20 };
        using var trusting = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.PostAsync("v1/chat/completions", Chat(server.Options.Model, stream: true, maxTokens: 3));

        Assert.Equal("https", server.BaseAddress.Scheme);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.EndsWith("data: [DONE]\n\n", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(presented);
        Assert.True(presented.MatchesHostname("127.0.0.1"));
        Assert.True(presented.MatchesHostname("localhost"));
        await Assert.ThrowsAsync<HttpRequestException>(() => trusting.GetAsync("health"));
    }

    [Fact]
    public async Task Answers_non_streaming_models_health_and_vllm_metrics()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 1, ItlMs = 1, Model = "org/model-x" });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var whole = await http.PostAsync("v1/chat/completions", Chat("org/model-x", stream: false, maxTokens: 5));
        var body = JsonDocument.Parse(await whole.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(5, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("assistant", body.GetProperty("choices")[0].GetProperty("message").GetProperty("role").GetString());

        var models = JsonDocument.Parse(await http.GetStringAsync("v1/models")).RootElement;
        var model = Assert.Single(models.GetProperty("data").EnumerateArray());
        Assert.Equal("org/model-x", model.GetProperty("id").GetString());
        Assert.Equal("vllm", model.GetProperty("owned_by").GetString());
        Assert.Equal(SimulatorOptions.DefaultMaxModelLen, model.GetProperty("max_model_len").GetInt32());
        Assert.Equal("model_permission", model.GetProperty("permission")[0].GetProperty("object").GetString());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health")).StatusCode);

        var metrics = await http.GetStringAsync("metrics");
        foreach (var name in (string[])["vllm:num_requests_running{model_name=\"org/model-x\",engine=\"0\"} 0.0", "vllm:num_requests_waiting{", "vllm:time_to_first_token_seconds_bucket{", "vllm:e2e_request_latency_seconds_count{model_name=\"org/model-x\",engine=\"0\"} 1.0", "vllm:generation_tokens_total{model_name=\"org/model-x\",engine=\"0\"} 5.0", "vllm:prompt_tokens_total{model_name=\"org/model-x\",engine=\"0\"} 7.0", "vllm:request_success_total{model_name=\"org/model-x\",engine=\"0\",finished_reason=\"length\"} 1.0"])
        {
            Assert.Contains(name, metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_request_longer_than_the_context_window_gets_vllms_400()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { MaxModelLen = 100 });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.PostAsync("v1/chat/completions", Chat(server.Options.Model, stream: true, maxTokens: 95));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString();
        Assert.Equal("This model's maximum context length is 100 tokens. However, you requested 102 tokens (7 in the messages, 95 in the completion). Please reduce the length of the messages or completion.", message);
    }

    [Fact]
    public async Task Unusable_options_are_refused_at_start_with_every_problem()
    {
        var options = new SimulatorOptions { TtftMs = -1, MaxBatch = 0, KvCacheTokens = 8, MaxBatchedTokens = 10, MaxModelLen = 1 };

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => SimulatorServer.StartAsync(options));

        foreach (var problem in (string[])["ttft-ms", "max-batch must be at least 1", "kv-cache-tokens (8) must hold at least one block of 16", "max-model-len must be at least 2"])
        {
            Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        }

        Assert.Contains("max-model-len (40000) is larger than the KV cache (160 tokens)", string.Join("\n", (options with { TtftMs = 0, MaxBatch = 1, KvCacheTokens = 160, MaxModelLen = 40000 }).Validate()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_wrong_model_bad_json_and_missing_key_with_openai_error_bodies()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { ApiKey = "k-1" });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var noKey = await http.PostAsync("v1/chat/completions", Chat(server.Options.Model, true));
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);

        http.DefaultRequestHeaders.Authorization = new("Bearer", "k-1");
        using var wrongModel = await http.PostAsync("v1/chat/completions", Chat("other", true));
        Assert.Equal(HttpStatusCode.NotFound, wrongModel.StatusCode);
        Assert.Contains("does not exist", JsonDocument.Parse(await wrongModel.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        using var badJson = await http.PostAsync("v1/chat/completions", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Equal(3, server.CompletionRequestsReceived);
    }

    [Fact]
    public async Task The_model_list_asks_for_the_key_as_vllm_does()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { ApiKey = "k-1" });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var noKey = await http.GetAsync("v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal("Unauthorized", JsonDocument.Parse(await noKey.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());

        http.DefaultRequestHeaders.Authorization = new("Bearer", "k-1");
        using var withKey = await http.GetAsync("v1/models");
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal(0, server.CompletionRequestsReceived);
    }

    [Fact]
    public async Task Requests_beyond_the_batch_wait_so_latency_rises_with_load()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 200, ItlMs = 1, MaxBatch = 2, ItlLoadFactor = 0 });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        // Warm both ends first, so the six arrive together rather than spread by first-call costs on a busy machine.
        (await http.PostAsync("v1/chat/completions", Chat(server.Options.Model, true, 2))).Dispose();
        var watch = Stopwatch.StartNew();
        var calls = Enumerable.Range(0, 6).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Chat(server.Options.Model, true, 2) };
            request.Headers.Add("X-Request-Id", $"q-{i}");
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsStringAsync();
        });
        await Task.WhenAll(calls);

        var queued = server.GroundTruth.Records.Count(r => r.RequestId.StartsWith("q-", StringComparison.Ordinal) && r.QueueMs > 150);
        Assert.True(queued >= 3, $"{queued} requests waited for a slot");
        Assert.True(server.GroundTruth.Records.Max(r => r.TtftMs) >= 550);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(550));
    }

    [Theory]
    [InlineData("http_503=0.5", FaultKind.HttpStatus, 503)]
    [InlineData("disconnect=0.1", FaultKind.Disconnect, 0)]
    [InlineData("slow_headers=1", FaultKind.SlowHeaders, 0)]
    public void Parses_fault_rules(string text, FaultKind kind, int status)
    {
        var rule = FaultRule.Parse(text);

        Assert.Equal(kind, rule.Kind);
        Assert.Equal(status, rule.StatusCode);
    }

    [Theory]
    [InlineData("http_200=0.1")]
    [InlineData("explode=0.1")]
    [InlineData("stall=2")]
    [InlineData("stall")]
    public void Refuses_bad_fault_rules_with_the_reason(string text)
    {
        var ex = Assert.Throws<FormatException>(() => FaultRule.Parse(text));

        Assert.Contains(text.Split('=')[0], ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Injects_429_with_retry_after_and_records_it()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Faults = [FaultRule.Parse("http_429=1")] });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.PostAsync("v1/chat/completions", Chat(server.Options.Model, true));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter!.Delta);
        Assert.Equal("http_429", Assert.Single(server.GroundTruth.Records).Outcome);
    }
}
