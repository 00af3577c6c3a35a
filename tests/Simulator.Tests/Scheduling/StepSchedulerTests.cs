using GuidellmFunctions.Simulator.Scheduling;

namespace GuidellmFunctions.Simulator.Tests.Scheduling;

/// <summary>The engine's arithmetic on a fake clock: what each step costs, who is admitted, cached, preempted.</summary>
public sealed class StepSchedulerTests
{
    private static readonly SimulatorOptions Costs = new()
    {
        TtftMs = 10,
        PrefillMsPerToken = 0.05,
        ItlMs = 5,
        ItlLoadFactor = 0,
        MaxBatch = 16,
    };

    [Theory]
    [InlineData(1, 10.05)]
    [InlineData(100, 15)]
    [InlineData(1000, 60)]
    [InlineData(4000, 210)]
    public void A_lone_requests_ttft_is_the_fixed_part_plus_the_prefill_of_every_prompt_token(int promptTokens, double expectedMs)
    {
        using var engine = new EngineHarness(Costs);

        var request = engine.Submit(EngineHarness.Tokens(promptTokens, 1), 4);
        engine.RunUntilDone(request);

        Assert.Equal(expectedMs, engine.TtftMs(request), 3);
        var times = engine.TokenTimes(request);
        Assert.Equal([5.0, 5.0, 5.0], times.Zip(times.Skip(1), (a, b) => b - a));
    }

    [Fact]
    public void Ttft_rises_with_prompt_length()
    {
        var ttfts = new List<double>();
        foreach (var length in (int[])[16, 256, 1024, 4096])
        {
            using var engine = new EngineHarness(Costs);
            var request = engine.Submit(EngineHarness.Tokens(length, 1), 2);
            engine.RunUntilDone(request);
            ttfts.Add(engine.TtftMs(request));
        }

        Assert.Equal(ttfts.Order(), ttfts);
        Assert.True(ttfts[^1] > 10 * ttfts[0], string.Join(", ", ttfts));
    }

    [Fact]
    public void The_ideal_defaults_keep_ttft_and_itl_exactly_as_set()
    {
        using var engine = new EngineHarness(new SimulatorOptions { TtftMs = 100, ItlMs = 10, ItlLoadFactor = 0 });

        var request = engine.Submit(EngineHarness.Tokens(5000, 1), 32);
        engine.RunUntilDone(request);

        Assert.Equal(100, engine.TtftMs(request), 6);
        Assert.Equal(Enumerable.Range(0, 32).Select(i => 100.0 + (10 * i)), engine.TokenTimes(request));
        Assert.Equal(410, engine.Ms(request.Arrival, request.LastTokenAt), 6);
    }

    [Fact]
    public void With_prefill_free_the_ttft_is_exactly_the_fixed_part_even_while_others_decode()
    {
        using var engine = new EngineHarness(new SimulatorOptions { TtftMs = 100, ItlMs = 10, ItlLoadFactor = 0 });
        var decoding = engine.Submit(EngineHarness.Tokens(50, 1), 40);
        engine.Advance(133);

        var late = engine.Submit(EngineHarness.Tokens(2000, 2), 4);
        engine.RunUntilDone(decoding, late);

        Assert.Equal(100, engine.TtftMs(late), 6);
        // First token at 233 ms, mid-step: it joins the batch at the next step (240 ms), and its second token ends that step.
        Assert.Equal(250, engine.TokenTimes(late)[1], 6);
        var gaps = engine.TokenTimes(decoding).Zip(engine.TokenTimes(decoding).Skip(1), (a, b) => b - a);
        Assert.All(gaps, g => Assert.Equal(10, g, 6));
    }

    [Fact]
    public void A_second_request_sharing_a_long_prefix_prefills_only_the_rest_and_the_hit_counters_move_by_the_shared_blocks()
    {
        using var engine = new EngineHarness(Costs with { KvCacheTokens = 100_000 });
        var shared = EngineHarness.Tokens(1000, 1);

        var first = engine.Submit([.. shared, .. EngineHarness.Tokens(24, 2)], 2);
        engine.RunUntilDone(first);
        var queriesBefore = engine.Metrics.PrefixCacheQueries;
        var hitsBefore = engine.Metrics.PrefixCacheHits;
        var second = engine.Submit([.. shared, .. EngineHarness.Tokens(24, 3)], 2);
        engine.RunUntilDone(second);

        // 1000 shared tokens are 62 whole blocks of 16: 992 tokens cached, 32 to prefill.
        Assert.Equal(0, first.CachedTokens);
        Assert.Equal(992, second.CachedTokens);
        Assert.Equal(10 + (1024 * 0.05), engine.TtftMs(first), 3);
        Assert.Equal(10 + (32 * 0.05), engine.TtftMs(second), 3);
        Assert.Equal(1024, engine.Metrics.PrefixCacheQueries - queriesBefore);
        Assert.Equal(992, engine.Metrics.PrefixCacheHits - hitsBefore);
        Assert.Contains("vllm:prefix_cache_hits_total{model_name=\"simulated/llama-3.1-8b-instruct\",engine=\"0\"} 992.0", engine.Metrics.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_last_prompt_token_is_always_computed_even_when_every_block_is_cached()
    {
        using var engine = new EngineHarness(Costs with { KvCacheTokens = 10_000 });
        var prompt = EngineHarness.Tokens(64, 1);

        engine.RunUntilDone(engine.Submit(prompt, 1));
        var again = engine.Submit(prompt, 1);
        engine.RunUntilDone(again);

        // Four full blocks are cached, but only three may be used: the fourth holds the token whose logits are needed.
        Assert.Equal(48, again.CachedTokens);
    }

    [Fact]
    public void A_prefill_delays_the_next_token_of_every_request_decoding_beside_it()
    {
        using var engine = new EngineHarness(Costs);
        var decoding = engine.Submit(EngineHarness.Tokens(10, 1), 40);
        engine.Advance(40);

        engine.Submit(EngineHarness.Tokens(1000, 2), 2);
        engine.RunUntilDone(decoding);

        var gaps = engine.TokenTimes(decoding).Zip(engine.TokenTimes(decoding).Skip(1), (a, b) => b - a).ToList();
        // Decode steps take 5 ms; the one that also prefills 1000 tokens takes 5 + 50.
        Assert.Equal(55, gaps.Max());
        Assert.Equal(1, gaps.Count(g => g > 5));
    }

    [Fact]
    public void Chunked_prefill_spreads_a_long_prompt_over_steps_so_decoding_requests_keep_going()
    {
        using var engine = new EngineHarness(Costs with { MaxBatchedTokens = 256 });
        var decoding = engine.Submit(EngineHarness.Tokens(10, 1), 60);
        engine.Advance(40);

        var longPrompt = engine.Submit(EngineHarness.Tokens(1000, 2), 2);
        engine.RunUntilDone(decoding, longPrompt);

        var gaps = engine.TokenTimes(decoding).Zip(engine.TokenTimes(decoding).Skip(1), (a, b) => b - a).ToList();
        // Each step decodes 1 token and prefills 255: 5 + 12.75 ms, rounded up to the millisecond the harness sees.
        Assert.True(gaps.Max() <= 19, string.Join(", ", gaps));
        Assert.True(gaps.Count(g => g > 5) >= 3, string.Join(", ", gaps));
        // 1000 tokens in chunks of 255, 255, 255, 235: four steps of 5 ms decode plus the prefill, after the fixed 10 ms.
        Assert.InRange(engine.TtftMs(longPrompt), 10 + 50 + 20, 10 + 50 + 20 + 5);
    }

    [Fact]
    public void Decode_steps_slow_as_the_batch_grows()
    {
        using var engine = new EngineHarness(Costs with { ItlLoadFactor = 1, MaxBatch = 4 });
        var requests = Enumerable.Range(0, 4).Select(i => engine.Submit(EngineHarness.Tokens(10, i), 20)).ToArray();
        engine.RunUntilDone(requests);

        var gaps = engine.TokenTimes(requests[0]).Zip(engine.TokenTimes(requests[0]).Skip(1), (a, b) => b - a).ToList();
        // Four decoding: 5 × (1 + 1 × 3 / 4) = 8.75 ms per step.
        Assert.InRange(gaps.Average(), 8.5, 9.0);
    }

    [Fact]
    public void Requests_beyond_the_batch_wait_in_order()
    {
        using var engine = new EngineHarness(Costs with { MaxBatch = 2 });

        var requests = Enumerable.Range(0, 5).Select(i => engine.Submit(EngineHarness.Tokens(10, i), 3)).ToArray();

        Assert.Equal(2, engine.Metrics.Running);
        Assert.Equal(3, engine.Metrics.Waiting);
        engine.RunUntilDone(requests);
        var firsts = requests.Select(r => r.FirstTokenAt).ToList();
        Assert.Equal(firsts.Order(), firsts);
        Assert.Equal(0, engine.Metrics.Running + engine.Metrics.Waiting);
    }

    [Fact]
    public void A_request_whose_prompt_does_not_fit_the_free_kv_blocks_waits_until_they_are_freed()
    {
        using var engine = new EngineHarness(Costs with { KvCacheTokens = 64, MaxModelLen = 64, PrefixCaching = false });

        var first = engine.Submit(EngineHarness.Tokens(40, 1), 4);
        var second = engine.Submit(EngineHarness.Tokens(40, 2), 4);

        // 40 tokens are 3 blocks of 16; 4 blocks in all.
        Assert.Equal(1, engine.Metrics.Running);
        Assert.Equal(1, engine.Metrics.Waiting);
        Assert.Equal(0.75, engine.Metrics.KvCacheUsage);
        engine.RunUntilDone(first, second);
        Assert.True(second.AdmittedAt >= first.LastTokenAt);
        Assert.Equal(0, second.Preemptions);
        Assert.Equal(0, engine.Metrics.KvCacheUsage);
    }

    [Fact]
    public void Decoding_past_the_kv_budget_preempts_the_newest_request_which_is_recomputed_later_and_still_finishes()
    {
        using var engine = new EngineHarness(Costs with { TtftMs = 1, PrefillMsPerToken = 0.01, ItlMs = 1, KvCacheTokens = 64, MaxModelLen = 64 });
        var requests = Enumerable.Range(0, 3).Select(i => engine.Submit(EngineHarness.Tokens(10, i), 40)).ToArray();
        var waitingSeen = 0L;
        var render = string.Empty;

        for (var i = 0; i < 2000 && !requests.All(r => r.IsDone); i++)
        {
            engine.Advance(1);
            if (engine.Metrics.Waiting > waitingSeen)
            {
                waitingSeen = engine.Metrics.Waiting;
                render = engine.Metrics.Render();
            }
        }

        Assert.All(requests, r => Assert.Equal(RequestState.Finished, r.State));
        Assert.All(requests, r => Assert.Equal(40, r.Produced));
        Assert.Equal(0, requests[0].Preemptions);
        Assert.True(requests[2].Preemptions >= 1);
        Assert.True(engine.Metrics.Preemptions >= 2, $"{engine.Metrics.Preemptions} preemptions");
        Assert.True(waitingSeen >= 1);
        Assert.Contains($"vllm:num_requests_waiting{{model_name=\"simulated/llama-3.1-8b-instruct\",engine=\"0\"}} {waitingSeen}.0", render, StringComparison.Ordinal);
        Assert.Contains($"vllm:num_preemptions_total{{model_name=\"simulated/llama-3.1-8b-instruct\",engine=\"0\"}} {engine.Metrics.Preemptions}.0", engine.Metrics.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_aborted_request_frees_its_place_for_the_next()
    {
        using var engine = new EngineHarness(Costs with { MaxBatch = 1 });
        var first = engine.Submit(EngineHarness.Tokens(10, 1), 1000);
        var second = engine.Submit(EngineHarness.Tokens(10, 2), 2);
        engine.Advance(30);

        engine.Scheduler.Abort(first);
        engine.RunUntilDone(second);

        Assert.Equal(RequestState.Aborted, first.State);
        Assert.Equal(RequestState.Finished, second.State);
        Assert.Contains("finished_reason=\"abort\"} 1.0", engine.Metrics.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Steps_that_cost_nothing_run_at_once_on_the_submitting_thread()
    {
        using var engine = new EngineHarness(new SimulatorOptions { TtftMs = 0, ItlMs = 0, MaxBatch = 100 });

        var requests = Enumerable.Range(0, 10).Select(i => engine.Submit(EngineHarness.Tokens(16, i), 512)).ToArray();

        Assert.All(requests, r => Assert.True(r.IsDone));
        Assert.All(requests, r => Assert.Equal(512, r.Produced));
        Assert.Equal(5120, engine.Metrics.GenerationTokens);
    }
}
