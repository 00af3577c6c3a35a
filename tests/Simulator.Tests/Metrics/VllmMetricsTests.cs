using System.Net.Http.Json;
using System.Text.RegularExpressions;
using GuidellmFunctions.Simulator.Metrics;

namespace GuidellmFunctions.Simulator.Tests.Metrics;

/// <summary>/metrics under the current vLLM's names and under the v0 engine's, after one real request.</summary>
public sealed class VllmMetricsTests
{
    private static readonly string[] V1Only =
    [
        "vllm:kv_cache_usage_perc", "vllm:prefix_cache_queries_total", "vllm:prefix_cache_hits_total", "vllm:inter_token_latency_seconds_bucket",
        "vllm:request_time_per_output_token_seconds_bucket",
    ];

    private static readonly string[] LegacyOnly =
    [
        "vllm:gpu_cache_usage_perc", "vllm:gpu_prefix_cache_hit_rate", "vllm:time_per_output_token_seconds_bucket", "vllm:num_requests_swapped",
        "vllm:avg_generation_throughput_toks_per_s",
    ];

    private static readonly string[] Both =
    [
        "vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:num_preemptions_total", "vllm:prompt_tokens_total", "vllm:generation_tokens_total",
        "vllm:request_success_total", "vllm:time_to_first_token_seconds_bucket", "vllm:e2e_request_latency_seconds_bucket", "vllm:request_queue_time_seconds_bucket",
        "vllm:request_prefill_time_seconds_bucket", "vllm:request_decode_time_seconds_bucket", "vllm:request_inference_time_seconds_bucket",
        "vllm:request_prompt_tokens_bucket", "vllm:request_generation_tokens_bucket", "vllm:iteration_tokens_total_bucket", "vllm:cache_config_info",
    ];

    [Fact]
    public async Task V1_serves_the_current_names_with_model_name_and_engine_labels_and_vllms_bucket_layouts()
    {
        var metrics = await AfterOneRequestAsync(MetricsNaming.V1);
        var names = Names(metrics);

        Assert.All(V1Only.Concat(Both), n => Assert.Contains(n, names));
        Assert.All(LegacyOnly, n => Assert.DoesNotContain(n, names));
        Assert.All(Samples(metrics), s => Assert.Contains("engine=\"0\"", s, StringComparison.Ordinal));
        Assert.All(Samples(metrics).Where(s => !s.StartsWith("vllm:cache_config_info", StringComparison.Ordinal)), s => Assert.Contains("model_name=\"m/v\"", s, StringComparison.Ordinal));
        Assert.Equal(22, Bounds(metrics, "vllm:time_to_first_token_seconds").Count);
        Assert.Equal("2560.0", Bounds(metrics, "vllm:time_to_first_token_seconds")[^1]);
        Assert.Equal(19, Bounds(metrics, "vllm:inter_token_latency_seconds").Count);
        Assert.Equal("7680.0", Bounds(metrics, "vllm:e2e_request_latency_seconds")[^1]);
        // 1-2-5 up to max_model_len, here the KV cache's 16,000 tokens.
        Assert.Equal(["1.0", "2.0", "5.0", "10.0", "20.0", "50.0", "100.0", "200.0", "500.0", "1000.0", "2000.0", "5000.0", "10000.0"], Bounds(metrics, "vllm:request_prompt_tokens"));
        Assert.Contains("vllm:request_success_total{model_name=\"m/v\",engine=\"0\",finished_reason=\"length\"} 1.0", metrics, StringComparison.Ordinal);
        Assert.Contains("vllm:inter_token_latency_seconds_count{model_name=\"m/v\",engine=\"0\"} 3.0", metrics, StringComparison.Ordinal);
        Assert.Contains("block_size=\"16\"", metrics, StringComparison.Ordinal);
        Assert.Contains("num_gpu_blocks=\"1000\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Legacy_serves_the_v0_engines_names_with_the_model_name_label_only()
    {
        var metrics = await AfterOneRequestAsync(MetricsNaming.Legacy);
        var names = Names(metrics);

        Assert.All(LegacyOnly.Concat(Both), n => Assert.Contains(n, names));
        Assert.All(V1Only, n => Assert.DoesNotContain(n, names));
        Assert.All(Samples(metrics), s => Assert.DoesNotContain("engine=", s, StringComparison.Ordinal));
        Assert.Equal("10.0", Bounds(metrics, "vllm:time_to_first_token_seconds")[^1]);
        Assert.Equal("2.5", Bounds(metrics, "vllm:time_per_output_token_seconds")[^1]);
        Assert.Equal("60.0", Bounds(metrics, "vllm:e2e_request_latency_seconds")[^1]);
        Assert.Contains("vllm:time_per_output_token_seconds_count{model_name=\"m/v\"} 3.0", metrics, StringComparison.Ordinal);
        Assert.Contains("vllm:gpu_prefix_cache_hit_rate{model_name=\"m/v\"} 0.0", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_sample_line_is_well_formed_and_every_family_is_declared_once()
    {
        foreach (var naming in (MetricsNaming[])[MetricsNaming.V1, MetricsNaming.Legacy])
        {
            var metrics = await AfterOneRequestAsync(naming);
            var types = Regex.Matches(metrics, @"^# TYPE (\S+) (counter|gauge|histogram)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();

            Assert.Equal(types.Distinct().Count(), types.Count);
            foreach (var line in metrics.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
            {
                Assert.Matches(@"^[a-zA-Z_:][a-zA-Z0-9_:]*\{([a-zA-Z_][a-zA-Z0-9_]*=""[^""]*"",?)+\} (-?[0-9.]+(e[-+]?[0-9]+)?|\+Inf|NaN)$", line);
                var family = line[..line.IndexOf('{', StringComparison.Ordinal)];
                Assert.Contains(types, t => family == t || family == t + "_bucket" || family == t + "_sum" || family == t + "_count");
            }
        }
    }

    private static async Task<string> AfterOneRequestAsync(MetricsNaming naming)
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Model = "m/v", TtftMs = 1, ItlMs = 1, KvCacheTokens = 16_000, MetricsNames = naming });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var response = await http.PostAsJsonAsync("v1/chat/completions", new { model = "m/v", messages = new[] { new { role = "user", content = "Hello" } }, max_tokens = 4, stream = true });
        await response.Content.ReadAsStringAsync();
        for (var i = 0; i < 500 && server.GroundTruth.Total == 0; i++)
        {
            await Task.Delay(10);
        }

        return await http.GetStringAsync("metrics");
    }

    private static HashSet<string> Names(string metrics) =>
        [.. metrics.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).Select(l => l[..l.IndexOf('{', StringComparison.Ordinal)])];

    private static List<string> Samples(string metrics) => [.. metrics.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#'))];

    private static List<string> Bounds(string metrics, string histogram) =>
        [.. Regex.Matches(metrics, "^" + Regex.Escape(histogram) + @"_bucket\{[^}]*le=""([^""]+)""\}", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Where(v => v != "+Inf")];
}
