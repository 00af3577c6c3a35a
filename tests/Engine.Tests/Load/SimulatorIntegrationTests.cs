using System.IO.Compression;
using System.Text.Json;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;
using GuidellmFunctions.Simulator.Faults;

namespace GuidellmFunctions.Engine.Tests.Load;

/// <summary>Real bursts against the real simulator on 127.0.0.1: what is measured must match what the server did.</summary>
[Collection(TimingCollection.Name)]
public sealed class SimulatorIntegrationTests : IDisposable
{
    private readonly TargetTransportFactory _clients = new();
    private readonly string _output = Directory.CreateTempSubdirectory("guidellm-it-").FullName;

    public void Dispose()
    {
        _clients.Dispose();
        Directory.Delete(_output, recursive: true);
    }

    private LoadTestRunner Runner() => new(_clients, new PromptGenerator(), TimeProvider.System);

    private static ResolvedTarget Target(SimulatorServer server, BenchmarkSettings settings, string name = "sim") =>
        new("it", new TargetConfig { Name = name, Url = server.V1, Model = server.Options.Model }, settings);

    [Theory]
    [InlineData(false, HttpClientKind.Runner)]
    [InlineData(true, HttpClientKind.Runner)]
    [InlineData(true, HttpClientKind.HttpClient)]
    public async Task Configured_ttft_and_itl_are_measured_back_and_agree_with_the_server(bool tls, HttpClientKind client)
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 100, ItlMs = 10, ItlLoadFactor = 0, Tls = tls });
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Constant, Rate = 5, MaxDuration = TimeSpan.FromSeconds(4),
            Data = new DataSpec(new TokenDistribution(64), new TokenDistribution(32)),
            HttpClient = client, InsecureSkipVerify = tls,
        };
        var observer = new CapturingObserver();
        var records = new List<(string Id, double Ttft, double ItlMean)>();
        var capture = new RecordCapture(records);

        var report = await Runner().RunAsync(Target(server, settings), "acc", RunTrigger.Cli, [observer, capture], CancellationToken.None);

        Assert.Equal(RunStatus.Completed, report.Status);
        var s = report.Benchmarks[0].Summary;
        Assert.InRange(s.Requests.Successful, 15, 20);
        await WaitForServerRecords(server, s.Requests.Successful);
        Assert.InRange(s.TtftMs.P50, 99, 130);
        Assert.InRange(s.ItlMs.Mean, 9.5, 13);
        Assert.InRange(s.TpotMs.P50, 9.5, 13);
        Assert.InRange(s.E2eLatencyMs.P50, 100 + (31 * 9.5), 100 + (31 * 13) + 30);
        Assert.Equal("usage", s.Tokens.OutputSource);
        Assert.Equal(32 * s.Requests.Successful, s.Tokens.Output);
        Assert.Equal(64 * s.Requests.Successful, s.Tokens.PromptTarget);
        Assert.Equal(s.Tokens.PromptTarget, s.Tokens.Prompt);

        var errors = new List<double>();
        foreach (var (id, ttft, itlMean) in records)
        {
            var truth = server.GroundTruth.Find(id);
            Assert.NotNull(truth);
            Assert.Equal("ok", truth.Outcome);
            errors.Add(ttft - truth.TtftMs);

            // A request that opens a connection waits for its TLS handshake, which the server's clock does not see.
            Assert.InRange(ttft - truth.TtftMs, -1.0, tls ? 60.0 : 30.0);
            Assert.InRange(itlMean - truth.ItlMeanMs, -2.0, 2.0);
        }

        Assert.InRange(errors.Order().ElementAt(errors.Count / 2), -1.0, 3.0);
    }

    [Fact]
    public async Task Every_fault_is_counted_under_its_reason_and_matches_the_server()
    {
        var faults = new[] { "http_500=0.1", "http_503=0.05", "http_429=0.1", "http_400=0.05", "disconnect=0.1", "error_object=0.1", "no_done=0.05", "stall=0.05" }
            .Select(FaultRule.Parse).ToList();
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1, Faults = faults, StallTime = TimeSpan.FromSeconds(30), Seed = 3 });
        // The timeout sits far below the 30 s stall and far above a loaded CI machine's slowest healthy request
        // (at 1 s, two faulted streams on a loaded machine timed out before their fault and were counted as timeouts).
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = 16, MaxDuration = TimeSpan.FromSeconds(60), MaxRequests = 300,
            RequestTimeout = TimeSpan.FromSeconds(5), Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(16)),
        };

        var report = await Runner().RunAsync(Target(server, settings), "faults", RunTrigger.Cli, [], CancellationToken.None);

        var s = report.Benchmarks[0].Summary;
        await WaitForServerRecords(server, 300);
        var truth = server.GroundTruth.Records.GroupBy(r => r.Outcome).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(300, s.Requests.Total);
        Assert.Equal(truth.GetValueOrDefault("ok"), s.Requests.Successful);
        Assert.Equal(truth["http_500"] + truth["http_503"], s.Errors["http_5xx"]);
        Assert.Equal(truth["http_429"], s.Errors["http_429"]);
        Assert.Equal(truth["http_400"], s.Errors["http_4xx"]);
        Assert.Equal(truth["disconnect"] + truth["error_object"] + truth["no_done"], s.Errors["stream_error"]);
        Assert.Equal(truth["stall"], s.Errors["timeout"]);
        Assert.Equal(s.Requests.Failed, s.Errors.Values.Sum());
    }

    [Fact]
    public async Task A_refused_connection_fails_every_request_and_the_run()
    {
        var port = LoopbackPorts.Free();
        var settings = new BenchmarkSettings { Profile = ProfileKind.Synchronous, MaxDuration = TimeSpan.FromSeconds(30), MaxRequests = 5 };
        var target = new ResolvedTarget("it", new TargetConfig { Name = "dead", Url = new Uri($"http://127.0.0.1:{port}/v1"), Model = "m" }, settings);

        var report = await Runner().RunAsync(target, "dead", RunTrigger.Cli, [], CancellationToken.None);

        Assert.Equal(RunStatus.Failed, report.Status);
        Assert.Equal(5, report.Benchmarks[0].Summary.Errors["connection"]);
        Assert.Equal("target_refuses", report.Benchmarks[0].StopReason);
        Assert.Contains("the target refuses the requests (connection=5)", report.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_and_request_records_are_saved_once_per_run_in_the_archive_layout()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1 });
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = 4, MaxDuration = TimeSpan.FromSeconds(30), MaxRequests = 40,
            RequestType = RequestType.TextCompletions, Data = new DataSpec(new TokenDistribution(32), new TokenDistribution(8)),
        };
        var target = Target(server, settings) with { Target = Target(server, settings).Target with { ApiKey = new Secret("sk-do-not-leak-9876") } };
        var store = new LocalReportStore(_output);

        var results = await new RunCoordinator(Runner()).RunAsync([target], "20261128T000000Z-abcd", RunTrigger.Cli, store, Path.Combine(_output, ".staging"), null, CancellationToken.None);

        var result = Assert.Single(results);
        Assert.True(result.Saved!.Written);
        var day = result.Report.StartedAt.UtcDateTime;
        var expected = Path.Combine(_output, "it", "sim", day.ToString("yyyy"), day.ToString("MM"), day.ToString("dd"), "20261128T000000Z-abcd.json");
        Assert.Equal(expected, result.Saved.Location);
        var json = await File.ReadAllTextAsync(expected);
        Assert.DoesNotContain("sk-do-not-leak-9876", json, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("completed", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal("***", doc.RootElement.GetProperty("config").GetProperty("apiKey").GetString());
        Assert.Equal(40, doc.RootElement.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty("successful").GetInt32());
        Assert.Equal("text_completions", doc.RootElement.GetProperty("config").GetProperty("requestType").GetString());

        var requestsFile = expected.Replace(".json", ReportLayout.RequestsSuffix, StringComparison.Ordinal);
        await using (var gz = new GZipStream(File.OpenRead(requestsFile), CompressionMode.Decompress))
        using (var reader = new StreamReader(gz))
        {
            var lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(40, lines.Length);
            Assert.All(lines, l => Assert.Equal("successful", JsonDocument.Parse(l).RootElement.GetProperty("status").GetString()));
        }

        var again = await store.SaveAsync(result.Report, null, CancellationToken.None);
        Assert.False(again.Written);
        Assert.Empty(Directory.GetFiles(Path.Combine(_output, ".staging")));
    }

    [Fact]
    public async Task A_cancelled_run_still_saves_a_partial_report_marked_cancelled()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 50, ItlMs = 20 });
        var settings = new BenchmarkSettings { Profile = ProfileKind.Constant, Rate = 10, MaxDuration = TimeSpan.FromMinutes(10) };
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        var results = await new RunCoordinator(Runner()).RunAsync([Target(server, settings)], "cancelled-run", RunTrigger.Cli, new LocalReportStore(_output), Path.Combine(_output, ".staging"), null, cancel.Token);

        var report = Assert.Single(results).Report;
        Assert.Equal(RunStatus.Cancelled, report.Status);
        Assert.Equal("cancelled", report.Benchmarks[0].StopReason);
        Assert.True(report.Benchmarks[0].Summary.Requests.Incomplete > 0);
        Assert.True(File.Exists(results[0].Saved!.Location));
    }

    [Fact]
    public async Task A_sweep_runs_synchronous_throughput_then_constant_rates_between_them()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 20, ItlMs = 2, MaxBatch = 8, ItlLoadFactor = 0 });
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Sweep, SweepSize = 4, MaxDuration = TimeSpan.FromSeconds(1.5), MaxConcurrency = 16,
            Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(8)),
        };

        var report = await Runner().RunAsync(Target(server, settings), "sweep", RunTrigger.Cli, [], CancellationToken.None);

        Assert.Equal(["synchronous", "throughput", "constant", "constant"], report.Benchmarks.Select(b => b.Profile.Kind));
        var sync = report.Benchmarks[0].Summary.Throughput.RequestsPerSecond;
        var max = report.Benchmarks[1].Summary.Throughput.RequestsPerSecond;
        Assert.True(max > 2 * sync, $"throughput {max} vs synchronous {sync}");
        var expected = SweepPlanner.ConstantRates(sync, max, 4);
        Assert.Equal(expected, report.Benchmarks.Skip(2).Select(b => b.Profile.Rate!.Value));
        Assert.Equal(16, report.Benchmarks[1].Profile.Streams);
        Assert.Equal(1, report.Benchmarks[0].Profile.Streams);
    }

    /// <summary>The server records a request after its last byte is written, which can be just after the client has finished.</summary>
    private static async Task WaitForServerRecords(SimulatorServer server, long count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.GroundTruth.Total < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(server.GroundTruth.Total >= count, $"server recorded {server.GroundTruth.Total} of {count} requests");
    }

    private sealed class RecordCapture(List<(string Id, double Ttft, double ItlMean)> records) : IRunObserver
    {
        public void OnStageStarted(StageContext stage)
        {
        }

        public void OnRequestStarted(StageContext stage)
        {
        }

        public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase)
        {
            if (result.Status == RequestStatus.Successful)
            {
                var gaps = result.ItlMicros;
                var mean = gaps.Length == 0 ? 0 : gaps.ToArray().Average() / 1000.0;
                lock (records)
                {
                    records.Add((result.RequestId, result.TtftMs!.Value, mean));
                }
            }
        }

        public void OnStageCompleted(StageContext stage, BenchmarkReport report)
        {
        }
    }
}
