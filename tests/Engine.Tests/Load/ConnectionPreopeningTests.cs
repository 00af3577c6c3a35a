using System.Collections.Concurrent;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Engine.Tests.Load;

/// <summary>
/// A stage opens the connections it needs before its clock starts (<c>preopen_connections</c>), and each request says
/// what its own connection cost (<c>connectMs</c>): counted by the simulator over TLS, which sees every TCP connection.
/// </summary>
public sealed class ConnectionPreopeningTests : IDisposable
{
    private readonly TargetTransportFactory _transports = new();

    public void Dispose() => _transports.Dispose();

    [Fact]
    public void A_closed_loop_needs_a_connection_per_stream_and_an_open_loop_its_cap_or_rate_times_latency()
    {
        StagePlan Plan(ProfileKind kind, double rate, int? maxConcurrency = null, int? maxRequests = null) =>
            StagePlan.Create(new BenchmarkSettings { Profile = kind, Rate = rate, MaxConcurrency = maxConcurrency, MaxRequests = maxRequests }, 0, kind);

        var second = TimeSpan.FromSeconds(1);
        Assert.Equal(1, ConnectionPreopening.Count(Plan(ProfileKind.Synchronous, 1), second));
        Assert.Equal(128, ConnectionPreopening.Count(Plan(ProfileKind.Concurrent, 128), second));
        Assert.Equal(10, ConnectionPreopening.Count(Plan(ProfileKind.Concurrent, 128, maxRequests: 10), second));
        Assert.Equal(64, ConnectionPreopening.Count(Plan(ProfileKind.Constant, 20, maxConcurrency: 64), second));
        Assert.Equal(30, ConnectionPreopening.Count(Plan(ProfileKind.Constant, 20), TimeSpan.FromSeconds(1.5)));
        Assert.Equal(ConnectionPreopening.MaxEstimated, ConnectionPreopening.Count(Plan(ProfileKind.Poisson, 1000), TimeSpan.FromSeconds(4)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Over_tls_n_streams_open_exactly_n_connections_before_the_first_request_when_preopened(bool preopen)
    {
        const int Streams = 8;
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Model = "m", TtftMs = 5, ItlMs = 1, Tls = true });
        var capture = new Capture(server);

        var report = await RunAsync(server, HttpClientKind.Runner, ProfileKind.Concurrent, Streams, 4 * Streams, preopen, capture);

        Assert.Equal(4 * Streams, report.Summary.Requests.Successful);
        Assert.Equal(Streams, server.ConnectionsAccepted);
        var connects = capture.ConnectMs.ToArray();
        Assert.Equal(4 * Streams, connects.Length);
        if (preopen)
        {
            Assert.Equal(Streams, capture.AcceptedAtFirstRequest);
            Assert.All(connects, c => Assert.Equal(0, c));
            Assert.Equal(0, report.Summary.ConnectMs.Count);
        }
        else
        {
            Assert.Equal(0, capture.AcceptedAtFirstRequest);

            // A fresh TLS connection pays a TCP connect and a handshake: above a tenth of a millisecond even on loopback.
            Assert.Equal(Streams, connects.Count(c => c > 0.1));
            Assert.Equal(3 * Streams, connects.Count(c => c == 0));
            Assert.Equal(Streams, report.Summary.ConnectMs.Count);
            Assert.True(report.Summary.ConnectMs.Min > 0.1);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Dotnets_handler_over_tls_reports_the_connect_of_the_request_that_opened_it_and_preopens_too(bool preopen)
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Model = "m", TtftMs = 5, ItlMs = 1, Tls = true });
        var capture = new Capture(server);

        var report = await RunAsync(server, HttpClientKind.HttpClient, ProfileKind.Synchronous, 1, 5, preopen, capture);

        Assert.Equal(5, report.Summary.Requests.Successful);
        Assert.Equal(1, server.ConnectionsAccepted);
        Assert.Equal(preopen ? 1 : 0, capture.AcceptedAtFirstRequest);
        var connects = capture.ConnectMs.ToArray();
        Assert.Equal(preopen ? 5 : 4, connects.Count(c => c == 0));
        Assert.Equal(preopen ? 0 : 1, connects.Count(c => c > 0.1));
    }

    [Fact]
    public async Task Dotnets_handler_preopens_n_http1_connections_by_holding_n_model_list_responses_at_once()
    {
        const int Streams = 6;
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Model = "m", TtftMs = 5, ItlMs = 1 });
        var capture = new Capture(server);

        var report = await RunAsync(server, HttpClientKind.HttpClient, ProfileKind.Concurrent, Streams, 3 * Streams, preopen: true, capture);

        Assert.Equal(3 * Streams, report.Summary.Requests.Successful);
        Assert.Equal(Streams, capture.AcceptedAtFirstRequest);
        Assert.Equal(Streams, server.ConnectionsAccepted);
        Assert.All(capture.ConnectMs, c => Assert.Equal(0, c));
    }

    [Fact]
    public async Task A_preopened_tls_connection_with_its_session_tickets_unread_is_used_not_taken_for_closed()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Model = "m", TtftMs = 5, ItlMs = 1, Tls = true });
        var endpoint = new Uri(server.V1, "v1/chat/completions");

        // Every idle connection is checked before reuse, as one idle past a second is: the tickets have arrived by then.
        using var transport = new GuidellmFunctions.Engine.Client.Transport.Http1Transport { CheckAfterIdle = TimeSpan.Zero, InsecureSkipVerify = true };
        var client = new OpenAiStreamingClient(transport, TimeProvider.System);
        var executor = new RequestExecutor(client, TimeProvider.System);
        var source = new FixedRequestSource(endpoint);

        Assert.Equal(4, await client.PreopenAsync(source.Prepare(0, 0).Request, 4, CancellationToken.None));
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            executor.ExecuteAsync(source.Prepare(0, i).Request, i, TimeProvider.System.GetTimestamp(), 1, 8, TimeSpan.FromSeconds(30), CancellationToken.None).AsTask()));

        Assert.All(results, r => Assert.Equal(RequestStatus.Successful, r.Status));
        Assert.All(results, r => Assert.Equal(0, r.ConnectMs));
        Assert.Equal(4, server.ConnectionsAccepted);
    }

    [Fact]
    public async Task The_request_file_holds_each_requests_connect_time()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Model = "m", TtftMs = 5, ItlMs = 1, Tls = true });
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "r.requests.jsonl.gz");
        using (var writer = new RequestRecordWriter(path))
        {
            await RunAsync(server, HttpClientKind.Runner, ProfileKind.Synchronous, 1, 3, preopen: false, writer);
        }

        var lines = RequestLines(path);
        Assert.Equal(3, lines.Count);
        Assert.True(lines[0].GetProperty("connectMs").GetDouble() > 0.1);
        Assert.Equal([0.0, 0.0], lines.Skip(1).Select(l => l.GetProperty("connectMs").GetDouble()));
    }

    private static List<System.Text.Json.JsonElement> RequestLines(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.Clone()).OrderBy(e => e.GetProperty("index").GetInt64())];
    }

    private async Task<BenchmarkReport> RunAsync(SimulatorServer server, HttpClientKind client, ProfileKind kind, int streams, int requests, bool preopen, IRunObserver observer)
    {
        var settings = new BenchmarkSettings
        {
            Profile = kind, Rate = streams, MaxRequests = requests, MaxDuration = TimeSpan.FromSeconds(30),
            HttpClient = client, InsecureSkipVerify = true,
        }.Set(SettingsTable.PreopenConnections, preopen);
        var endpoint = new Uri(server.V1, "v1/chat/completions");
        var target = new ResolvedTarget("it", new TargetConfig { Name = "sim", Url = endpoint, Model = "m" }, settings);
        var time = TimeProvider.System;
        var executor = new RequestExecutor(new OpenAiStreamingClient(_transports.TransportFor(endpoint, settings), time), time);
        return await new StageRunner(executor, time).RunAsync("conn", target, StagePlan.Create(settings, 0, kind), new FixedRequestSource(endpoint), [observer], CancellationToken.None);
    }

    /// <summary>The connections the server had accepted when the first request started, and each request's connect time.</summary>
    private sealed class Capture(SimulatorServer server) : IRunObserver
    {
        private int _started;

        public long AcceptedAtFirstRequest { get; private set; } = -1;

        public ConcurrentQueue<double> ConnectMs { get; } = new();

        public void OnStageStarted(StageContext stage)
        {
        }

        public void OnRequestStarted(StageContext stage)
        {
            if (Interlocked.Increment(ref _started) == 1)
            {
                AcceptedAtFirstRequest = server.ConnectionsAccepted;
            }
        }

        public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase) => ConnectMs.Enqueue(result.ConnectMs ?? -1);

        public void OnStageCompleted(StageContext stage, BenchmarkReport report)
        {
        }
    }
}
