using System.Collections.Concurrent;
using System.Globalization;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// The first requests' TTFT excess (issue 19 item 4): a closed loop of N streams against the simulator over TLS, the
/// median TTFT of the first N requests sent minus that of the rest, with <c>preopen_connections</c> off (each stream's
/// first request opens its connection, N handshakes at once) and on, in interleaved rounds.
/// </summary>
internal static class ConnectionsScenario
{
    private static readonly SimulatorOptions Simulated = new() { TtftMs = 50, ItlMs = 20, ItlLoadFactor = 0, OutputTokens = 32, MaxBatch = 100_000, GroundTruthCapacity = 1_000_000, Tls = true };

    public static async Task RunAsync(Suite suite)
    {
        var rows = new List<string[]>();
        var results = new List<object>();
        foreach (var streams in (int[])[128, 1000])
        {
            for (var round = 1; round <= (suite.Quick ? 1 : 2); round++)
            {
                foreach (var preopen in (bool[])[false, true])
                {
                    var (cells, result) = await MeasureAsync(suite, streams, preopen).ConfigureAwait(false);
                    rows.Add([round.ToString(CultureInfo.InvariantCulture), .. cells]);
                    results.Add(new { round, result });
                }
            }
        }

        suite.Table("13. First requests' TTFT excess over TLS (closed loop, simulator TTFT 50 ms, ITL 20 ms, 32 tokens), ms",
            ["round", "streams", "preopen_connections", "requests", "first N TTFT p50", "rest TTFT p50", "excess", "first N TTFT p99", "rest TTFT p99", "requests that connected", "their connectMs p50 / max", "failed"], rows);
        suite.Sections["connections"] = results;
    }

    private static async Task<(string[] Cells, object Result)> MeasureAsync(Suite suite, int streams, bool preopen)
    {
        await using var simulator = suite.RemoteSimulator is { } remote ? SimulatorProcess.Attach(remote) : await SimulatorProcess.StartAsync(Simulated).ConfigureAwait(false);
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = streams, MaxRequests = 4 * streams, MaxDuration = TimeSpan.FromSeconds(60),
            Data = new DataSpec(new TokenDistribution(16), new TokenDistribution(32)), RequestTimeout = TimeSpan.FromSeconds(60),
            InsecureSkipVerify = true,
        }.Set(SettingsTable.PreopenConnections, preopen);
        using var clients = new TargetTransportFactory();
        var runner = new LoadTestRunner(clients, new PromptGenerator(), TimeProvider.System);
        var target = new ResolvedTarget("bench", new TargetConfig { Name = "simulator", Url = simulator.V1, Model = Burst.Model }, settings);
        var capture = new Capture();
        var report = await runner.RunAsync(target, RunIds.New(TimeProvider.System), RunTrigger.Cli, [capture], CancellationToken.None).ConfigureAwait(false);
        var summary = report.Benchmarks[0].Summary;
        var sent = capture.Requests.Where(r => r.TtftMs is not null).OrderBy(r => r.Sent).ToList();
        var first = Percentiles.P50P99(sent.Take(streams).Select(r => r.TtftMs!.Value));
        var rest = Percentiles.P50P99(sent.Skip(streams).Select(r => r.TtftMs!.Value));
        var connected = capture.Requests.Where(r => r.ConnectMs > 0).Select(r => r.ConnectMs!.Value).ToList();
        var connect = connected.Count == 0 ? 0 : Percentiles.P50P99(connected).P50;
        var slowest = connected.Count == 0 ? 0 : connected.Max();
        var excess = first.P50 - rest.P50;
        string[] cells =
        [
            streams.ToString(CultureInfo.InvariantCulture), preopen ? "true" : "false", sent.Count.ToString(CultureInfo.InvariantCulture),
            Suite.F(first.P50, 1), Suite.F(rest.P50, 1), Suite.F(excess, 1), Suite.F(first.P99, 1), Suite.F(rest.P99, 1),
            connected.Count.ToString(CultureInfo.InvariantCulture), $"{Suite.F(connect, 1)} / {Suite.F(slowest, 1)}",
            summary.Requests.Failed.ToString(CultureInfo.InvariantCulture),
        ];
        var result = new { streams, preopen, requests = sent.Count, firstTtftMs = new { p50 = first.P50, p99 = first.P99 }, restTtftMs = new { p50 = rest.P50, p99 = rest.P99 }, excessMs = excess, connected = connected.Count, connectMs = new { p50 = connect, max = slowest }, failed = summary.Requests.Failed };
        return (cells, result);
    }

    /// <summary>Each successful request's send time, TTFT and connect time.</summary>
    private sealed class Capture : IRunObserver
    {
        public ConcurrentQueue<(long Sent, double? TtftMs, double? ConnectMs)> Requests { get; } = new();

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
                Requests.Enqueue((result.SentTimestamp, result.TtftMs, result.ConnectMs));
            }
        }

        public void OnStageCompleted(StageContext stage, BenchmarkReport report)
        {
        }
    }
}
