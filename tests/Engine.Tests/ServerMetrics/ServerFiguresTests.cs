using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.ServerMetrics;
using GuidellmFunctions.Engine.ServerMetrics.Exposition;
using GuidellmFunctions.Engine.Tests.ServerMetrics.Exposition;

namespace GuidellmFunctions.Engine.Tests.ServerMetrics;

/// <summary>
/// A stage's server figures from readings of each server's exposition (fixtures: 25 requests served before the stage, 40
/// in it, a reading in the middle with 37 running, 3 waiting and 41% of the KV cache in use).
/// </summary>
public sealed class ServerFiguresTests
{
    private const string Model = "meta-llama/Llama-3.1-8B-Instruct";

    // The fixtures' stage: the generator's exact means, and the buckets the true medians fall in.
    private const double TtftMeanMs = 71.418975;
    private const double E2eMeanMs = 1406.269675;
    private const double ItlMeanMs = 10.507486;
    private const double QueueMeanMs = 1.882525;

    public static TheoryData<string, string, string, string, double, double> Dialects => new()
    {
        // fixture, dialect, TTFT histogram (empty: none), ITL histogram, lower and upper bound (ms) of TTFT's median bucket
        { "vllm-0.11", "vllm", "vllm:time_to_first_token_seconds", "vllm:inter_token_latency_seconds", 60, 80 },
        { "vllm-0.10", "vllm", "vllm:time_to_first_token_seconds", "vllm:inter_token_latency_seconds", 60, 80 },
        { "vllm-0.6", "vllm", "vllm:time_to_first_token_seconds", "vllm:time_per_output_token_seconds", 60, 80 },
        { "sglang", "sglang", "sglang:time_to_first_token_seconds", "sglang:inter_token_latency_seconds", 0, 100 },
        { "tgi", "tgi", "", "tgi_request_mean_time_per_token_duration", 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Dialects))]
    public void A_stage_is_the_difference_of_two_readings(string fixture, string dialect, string ttftMetric, string itlMetric, double ttftLow, double ttftHigh)
    {
        var (before, mid, after) = (Read($"{fixture}.before.txt"), Read($"{fixture}.mid.txt"), Read($"{fixture}.after.txt"));
        var peaks = new GaugePeaks();
        foreach (var reading in (MetricSnapshot[])[before, mid, after])
        {
            peaks.Observe(reading);
        }

        var server = ServerFigures.Compute(new ServerReport { Source = "target" }, before, after, peaks, runnerSent: 40);

        Assert.True(server.Available);
        Assert.Equal(dialect, server.Dialect);
        Assert.Equal(40, server.Requests);
        Assert.Equal(40 * 512, server.PromptTokens);
        Assert.Equal(40 * 128, server.OutputTokens);
        Assert.Null(server.Notes);
        Assert.Equal(3, server.Readings);
        Assert.Equal(37, server.RunningMax);
        Assert.Equal(3, server.WaitingMax);
        if (ttftMetric.Length == 0)
        {
            Assert.Null(server.TtftMs);
        }
        else
        {
            var ttft = server.TtftMs!;
            Assert.Equal((ttftMetric, 40L), (ttft.Metric, ttft.Count));
            Assert.Equal(TtftMeanMs, ttft.Mean!.Value, 3);
            Assert.InRange(ttft.P50!.Value, ttftLow, ttftHigh);
            Assert.True(ttft.P50 <= ttft.P90 && ttft.P90 <= ttft.P95 && ttft.P95 <= ttft.P99);
        }

        Assert.Equal(E2eMeanMs, server.E2eLatencyMs!.Mean!.Value, 3);
        Assert.Equal(40, server.E2eLatencyMs.Count);
        Assert.Equal(itlMetric, server.ItlMs!.Metric);
        Assert.Equal(ItlMeanMs, server.ItlMs.Mean!.Value, 3);
        Assert.Equal(QueueMeanMs, server.QueueTimeMs!.Mean!.Value, 3);
        if (dialect != "tgi")
        {
            Assert.Equal(dialect == "vllm" && fixture == "vllm-0.6" ? 0.2501 : 0.25, server.PrefixCacheHitRate!.Value, 6);
            Assert.Equal(3, server.Preemptions);
            Assert.Equal(0.4113, server.KvCacheUsageMax!.Value, 6);
        }
    }

    [Fact]
    public void The_e2e_median_falls_in_its_bucket_whatever_the_layout()
    {
        // The true median is 1400.1 ms: vLLM's buckets put it in (1000, 1500], SGLang's in (1000, 2000].
        foreach (var (fixture, low, high) in new[] { ("vllm-0.11", 1000.0, 1500.0), ("vllm-0.6", 1000.0, 1500.0), ("sglang", 1000.0, 2000.0), ("tgi", 985.8, 1478.9) })
        {
            var server = ServerFigures.Compute(new ServerReport { Source = "target" }, Read($"{fixture}.before.txt"), Read($"{fixture}.after.txt"), new GaugePeaks(), 40);
            Assert.InRange(server.E2eLatencyMs!.P50!.Value, low, high);
        }
    }

    [Fact]
    public void A_server_that_counted_more_requests_than_were_sent_says_someone_else_loaded_it()
    {
        var server = ServerFigures.Compute(new ServerReport { Source = "target" }, Read("vllm-0.11.before.txt"), Read("vllm-0.11.after.txt"), new GaugePeaks(), runnerSent: 30);

        var note = Assert.Single(server.Notes!);
        Assert.Contains("the server counted 40 requests, more than the 30 the runner sent", note, StringComparison.Ordinal);
        Assert.Contains("something else was loading it", note, StringComparison.Ordinal);
    }

    [Fact]
    public void Counters_that_went_back_are_a_restart_read_from_zero()
    {
        var server = ServerFigures.Compute(new ServerReport { Source = "target" }, Read("vllm-0.11.after.txt"), Read("vllm-0.11.before.txt"), new GaugePeaks(), runnerSent: 100);

        Assert.Equal(25, server.Requests);
        Assert.Equal(25, server.TtftMs!.Count);
        Assert.Contains(server.Notes!, n => n.Contains("restarted", StringComparison.Ordinal));
    }

    [Fact]
    public void Series_of_another_model_are_left_out()
    {
        var text = Fixture("vllm-0.11.after.txt");
        var other = text.Replace(Model, "other/model", StringComparison.Ordinal);
        var both = ExpositionParser.Parse(text + other, ServerMetricNames.IsServerName).Samples;

        var mine = MetricSnapshot.From(both, Model);
        var everyone = MetricSnapshot.From(both, "not/served");

        Assert.Equal(65, mine.Sum("vllm:request_success_total", s => s.Label("finished_reason") != "abort"));
        Assert.Equal(130, everyone.Sum("vllm:request_success_total", s => s.Label("finished_reason") != "abort"));
    }

    [Fact]
    public void A_server_without_any_known_metric_gives_an_empty_section_of_unknown_dialect()
    {
        var snapshot = MetricSnapshot.From(ExpositionParser.Parse("process_cpu_seconds_total 12.5\n", ServerMetricNames.IsServerName).Samples, Model);

        var server = ServerFigures.Compute(new ServerReport { Source = "target" }, snapshot, snapshot, new GaugePeaks(), 10);

        Assert.Equal("unknown", server.Dialect);
        Assert.Null(server.Requests);
        Assert.Null(server.TtftMs);
    }

    [Fact]
    public void Client_minus_server_takes_each_statistic_apart()
    {
        var client = Summary(ttft: new DistributionSummary(40, 80, 50, 300, 10, 70, 80, 90, 100, 100));
        var server = new ServerReport
        {
            Source = "target", Available = true,
            TtftMs = new ServerLatency("vllm:time_to_first_token_seconds", 40, 71.5, 65, 75, 78, 95),
            E2eLatencyMs = new ServerLatency("vllm:e2e_request_latency_seconds", 0, null, null, null, null, null),
        };

        var difference = ServerFigures.ClientMinusServer(client, server)!;

        Assert.Equal(new LatencyDifference(8.5, 5, 12), difference.TtftMs);
        Assert.Null(difference.E2eLatencyMs);
        Assert.Null(ServerFigures.ClientMinusServer(client, server with { Available = false }));
    }

    public static BenchmarkSummary Summary(DistributionSummary ttft) => new()
    {
        Requests = new RequestCounts(40, 40, 0, 0),
        Errors = new Dictionary<string, long>(),
        Tokens = new TokenCounts(0, 0, "usage", 0, 0),
        TtftMs = ttft,
        ItlMs = DistributionSummary.Empty,
        TpotMs = DistributionSummary.Empty,
        E2eLatencyMs = DistributionSummary.Empty,
        DispatchDelayMs = DistributionSummary.Empty,
        Throughput = new ThroughputSummary(0, 0, 0),
        Concurrency = new ConcurrencySummary(0, 0),
    };

    private static string Fixture(string name) => ExpositionParserTests.Fixture(name);

    private static MetricSnapshot Read(string name) =>
        MetricSnapshot.From(ExpositionParser.Parse(Fixture(name), ServerMetricNames.IsServerName).Samples, Model);
}
