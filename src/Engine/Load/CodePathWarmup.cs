using System.Net.Http.Headers;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Client.Transport;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Runs a tiny open-loop stage (dispatch thread, executor, streaming client, SSE reader, chunk parser, collector) once per
/// process on canned responses held in memory, before any real stage clock starts. Without it the first request of a run
/// carries the JIT compilation of that code.
/// </summary>
internal static class CodePathWarmup
{
    private static readonly Lazy<Task<Exception?>> Once = new(TryRunStageAsync);

    private static readonly byte[] Stream = """
        data: {"id":"w","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

        data: {"id":"w","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"warm"},"finish_reason":null}]}

        data: {"id":"w","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":" up"},"finish_reason":"length"}]}

        data: {"id":"w","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}

        data: [DONE]


        """u8.ToArray();

    private static readonly byte[] Whole =
        """{"id":"w","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"warm up"},"finish_reason":"length"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"""u8.ToArray();

    /// <summary>
    /// Completes once the warm-up has run in this process; later calls return at once. It only saves time, so it never
    /// throws: the result is what it failed with, or null.
    /// </summary>
    public static Task<Exception?> RunOnceAsync() => Once.Value;

    /// <summary>Runs the canned stage and returns its report (all four requests succeed).</summary>
    internal static async Task<Reporting.BenchmarkReport> RunStageAsync()
    {
        var executor = new RequestExecutor(new OpenAiStreamingClient(new CannedTransport(), TimeProvider.System), TimeProvider.System);
        var endpoint = new Uri("http://warmup.invalid/v1/chat/completions");
        var settings = new BenchmarkSettings { Profile = ProfileKind.Constant, Rate = 1000, MaxRequests = 4, MaxDuration = TimeSpan.FromSeconds(10), RequestTimeout = TimeSpan.FromSeconds(10) };
        var target = new ResolvedTarget("warmup", new TargetConfig { Name = "warmup", Url = endpoint, Model = "warmup" }, settings);
        return await new StageRunner(executor, TimeProvider.System).RunAsync("warmup", target, StagePlan.Create(settings, 0, ProfileKind.Constant), new CannedSource(endpoint), [], CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task<Exception?> TryRunStageAsync()
    {
        try
        {
            await RunStageAsync().ConfigureAwait(false);
            return null;
        }
#pragma warning disable CA1031 // A failed warm-up must not fail every run of a long-lived host: it is reported instead.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex;
        }
    }

    private sealed class CannedSource(Uri endpoint) : IRequestSource
    {
        public PreparedRequest Prepare(int stage, long index) => new(new CompletionRequest(endpoint, "{}"u8.ToArray(), "warmup-" + index), 1, 2);
    }

    /// <summary>Answers every other request with a stream, the rest with one JSON body.</summary>
    private sealed class CannedTransport : ITargetTransport
    {
        private int _sent;

        public ValueTask<TargetResponse> SendAsync(CompletionRequest request, TargetRequestKind kind, CancellationToken cancellationToken) =>
            ValueTask.FromResult<TargetResponse>(Interlocked.Increment(ref _sent) % 2 == 1
                ? new Canned(Stream, "text/event-stream")
                : new Canned(Whole, "application/json"));
    }

    private sealed class Canned(byte[] body, string mediaType) : TargetResponse
    {
        private readonly MemoryStream _body = new(body, writable: false);

        public override int StatusCode => 200;

        public override string? MediaType => mediaType;

        public override RetryConditionHeaderValue? RetryAfter => null;

        public override Stream Body => _body;

        public override ValueTask DisposeAsync() => _body.DisposeAsync();
    }
}
