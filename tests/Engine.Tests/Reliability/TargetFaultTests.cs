using System.Text;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Engine.Tests.Reliability;

/// <summary>
/// The fault matrix of docs/reliability.md, target side: a raw socket server misbehaves in one way per case while a
/// healthy simulator is load-tested in the same run. Every faulty request must end within its timeout under the
/// expected reason, the burst must go on to its request count, and the healthy target must not notice.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class TargetFaultTests : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);
    private readonly TargetTransportFactory _clients = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-faults-").FullName;

    public void Dispose()
    {
        _clients.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static async Task Hold(CancellationToken token) => await Task.Delay(Timeout.InfiniteTimeSpan, token);

    /// <summary>What the raw server does after reading each request, and the reason every request must fail with.</summary>
    public static TheoryData<string, string?, string> Faults() => new()
    {
        { "headers never sent", "timeout", "no response headers within 2s" },
        { "stream stalled mid-way", "timeout", "stream did not finish within 2s" },
        { "stream cut before [DONE]", "stream_error", string.Empty },
        { "invalid JSON in a chunk", "protocol", string.Empty },
        { "invalid UTF-8 in a chunk", "protocol", string.Empty },
        { "SSE line over the 16 MiB event limit", "protocol", "larger than" },
        { "SSE line of 10 MiB", null, string.Empty },
        { "429 storm", "http_429", "HTTP 429" },
        { "5xx burst", "http_5xx", "HTTP 503" },
        { "not HTTP at all", "protocol", "invalid HTTP response" },
    };

    private static Func<Stream, CancellationToken, Task> Script(string fault) => fault switch
    {
        "headers never sent" => (_, token) => Hold(token),
        "stream stalled mid-way" => async (s, token) =>
        {
            await s.WriteAsync((byte[])[.. RawSocketServer.SseHeaders, .. RawSocketServer.ContentEvent("a"), .. RawSocketServer.ContentEvent("b")], token);
            await s.FlushAsync(token);
            await Hold(token);
        },
        "stream cut before [DONE]" => async (s, token) =>
        {
            await s.WriteAsync((byte[])[.. RawSocketServer.SseHeaders, .. RawSocketServer.ContentEvent("a"), .. RawSocketServer.ContentEvent("b")], token);
            await s.FlushAsync(token);
            s.Close();
        },
        "invalid JSON in a chunk" => (s, token) => s.WriteAsync((byte[])[.. RawSocketServer.SseHeaders, .. RawSocketServer.ContentEvent("a"), .. RawSocketServer.Chunk("data: {\"choices\":[{\"delta\":\n\n"u8), .. RawSocketServer.Done], token).AsTask(),
        "invalid UTF-8 in a chunk" => (s, token) => s.WriteAsync((byte[])[.. RawSocketServer.SseHeaders, .. RawSocketServer.Chunk([.. "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}}]}\n\n"u8]), .. RawSocketServer.Done], token).AsTask(),
        "SSE line over the 16 MiB event limit" => async (s, token) =>
        {
            await s.WriteAsync(RawSocketServer.SseHeaders, token);
            var block = RawSocketServer.Chunk(Encoding.ASCII.GetBytes(new string('x', 1024 * 1024)));
            for (var i = 0; i < 20 && !token.IsCancellationRequested; i++)
            {
                await s.WriteAsync(block, token);
            }

            await Hold(token);
        },
        "SSE line of 10 MiB" => (s, token) =>
            s.WriteAsync((byte[])[.. RawSocketServer.SseHeaders, .. RawSocketServer.ContentEvent(new string('y', 10 * 1024 * 1024)), .. RawSocketServer.Done], token).AsTask(),
        "429 storm" => (s, token) => s.WriteAsync("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Type: application/json\r\nContent-Length: 41\r\n\r\n{\"error\":{\"message\":\"rate limit reached\"}}"u8.ToArray(), token).AsTask(),
        "5xx burst" => (s, token) => s.WriteAsync("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\noverloaded!"u8.ToArray(), token).AsTask(),
        "not HTTP at all" => async (s, token) =>
        {
            await s.WriteAsync("SSH-2.0-OpenSSH_9.2\r\n"u8.ToArray(), token);
            await s.FlushAsync(token);
            s.Close();
        },
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    private static BenchmarkSettings Settings(int requests) => new()
    {
        Profile = ProfileKind.Concurrent, Rate = 2, MaxRequests = requests, MaxDuration = TimeSpan.FromSeconds(60), RequestTimeout = RequestTimeout,
        Data = new DataSpec(new TokenDistribution(8), new TokenDistribution(4)),
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_faulty_target_is_classified_within_its_timeout_and_the_healthy_one_is_untouched(string fault, string? reason, string message)
    {
        await using var raw = RawSocketServer.Start(Script(fault));
        await using var healthy = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1, OutputTokens = 4 });
        ResolvedTarget[] targets =
        [
            new("faults", new TargetConfig { Name = "faulty", Url = raw.V1, Model = "m" }, Settings(6)),
            new("faults", new TargetConfig { Name = "healthy", Url = healthy.V1, Model = healthy.Options.Model }, Settings(40)),
        ];
        var capture = new RecordingObserver();

        var results = await new RunCoordinator(new LoadTestRunner(_clients, new PromptGenerator(), TimeProvider.System))
            .RunAsync(targets, "faults-1", RunTrigger.Cli, new LocalReportStore(Path.Combine(_dir, "out")), Path.Combine(_dir, "staging"), t => t.Target.Name == "faulty" ? [capture] : [], CancellationToken.None);

        var faulty = results.Single(r => r.Report.Target == "faulty").Report.Benchmarks[0].Summary;
        var ok = results.Single(r => r.Report.Target == "healthy").Report;
        Assert.Equal(6, faulty.Requests.Total);
        if (reason is null)
        {
            Assert.Equal(6, faulty.Requests.Successful);
        }
        else
        {
            Assert.Equal(6, faulty.Requests.Failed);
            Assert.Equal(6, faulty.Errors[reason]);
            Assert.All(capture.Errors, e => Assert.Contains(message, e, StringComparison.Ordinal));
        }

        Assert.All(capture.E2eMs, e2e => Assert.InRange(e2e, 0, RequestTimeout.TotalMilliseconds + 1000));
        Assert.Equal(RunStatus.Completed, ok.Status);
        Assert.Equal(40, ok.Benchmarks[0].Summary.Requests.Successful);
    }

    [Theory]
    [InlineData(HttpClientKind.Runner)]
    [InlineData(HttpClientKind.HttpClient)]
    public async Task A_tls_failure_is_a_connection_error_naming_tls(HttpClientKind client)
    {
        // Answers a TLS client hello with plain-text HTTP, as a server without TLS on the port would.
        await using var raw = RawSocketServer.StartOnConnect(async (s, token) =>
        {
            await s.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), token);
            await s.FlushAsync(token);
            s.Close();
        });
        var capture = new RecordingObserver();
        var target = new ResolvedTarget("faults", new TargetConfig { Name = "tls", Url = new Uri($"https://127.0.0.1:{raw.Port}/v1"), Model = "m" }, Settings(3) with { HttpClient = client });

        var report = await new LoadTestRunner(_clients, new PromptGenerator(), TimeProvider.System).RunAsync(target, "tls-1", RunTrigger.Cli, [capture], CancellationToken.None);

        Assert.Equal(3, report.Benchmarks[0].Summary.Errors["connection"]);
        Assert.All(capture.Errors, e => Assert.Contains("TLS failure", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_a_connection_error_naming_dns()
    {
        // No resolver may be asked here (no network): the failure is injected where name resolution happens.
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = (_, _) => throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound),
        };
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var executor = new RequestExecutor(new OpenAiStreamingClient(http, TimeProvider.System), TimeProvider.System);
        var request = new CompletionRequest(new Uri("https://vllm.invalid/v1/chat/completions"), "{}"u8.ToArray(), "dns-1");

        var result = await executor.ExecuteAsync(request, 0, 0, 1, 1, RequestTimeout, CancellationToken.None);

        Assert.Equal(RequestStatus.Failed, result.Status);
        Assert.Equal(FailureReason.Connection, result.Reason);
        Assert.StartsWith("DNS failure", result.Error, StringComparison.Ordinal);
    }

    /// <summary>Keeps each request's error and end-to-end time.</summary>
    private sealed class RecordingObserver : IRunObserver
    {
        public List<string> Errors { get; } = [];

        public List<double> E2eMs { get; } = [];

        public void OnStageStarted(StageContext stage)
        {
        }

        public void OnRequestStarted(StageContext stage)
        {
        }

        public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase)
        {
            lock (Errors)
            {
                Errors.Add(result.Error ?? string.Empty);
                E2eMs.Add(result.E2eMs);
            }
        }

        public void OnStageCompleted(StageContext stage, BenchmarkReport report)
        {
        }
    }
}
