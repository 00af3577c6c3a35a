using System.Diagnostics;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>A burst's report, the runner's own per-request measurements, and the CPU the runner's process used.</summary>
internal sealed record BurstResult(RunReport Report, RequestCapture Capture, TimeSpan Cpu, TimeSpan Wall, TimeSpan GcPause, int Gen0, int Gen1, int Gen2, long AllocatedBytes)
{
    public BenchmarkSummary Summary => Report.Benchmarks[0].Summary;
}

/// <summary>One burst of the real runner (the engine the CLI and the functions use) against a simulator.</summary>
internal static class Burst
{
    public const string Model = "simulated/llama-3.1-8b-instruct";

    public static async Task<BurstResult> RunAsync(Uri v1, BenchmarkSettings settings, IRequestSource? source = null, bool keepRequests = false)
    {
        using var clients = new TargetTransportFactory();
        var runner = new LoadTestRunner(clients, new PromptGenerator(), TimeProvider.System);
        var target = new ResolvedTarget("bench", new TargetConfig { Name = "simulator", Url = v1, Model = Model }, settings);
        var capture = new RequestCapture(keepRequests);
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var pause = GC.GetTotalPauseDuration();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var wall = Stopwatch.StartNew();
        var report = await runner.RunAsync(target, RunIds.New(TimeProvider.System), RunTrigger.Cli, [capture], CancellationToken.None, source).ConfigureAwait(false);
        self.Refresh();
        return new BurstResult(report, capture, self.TotalProcessorTime - cpu, wall.Elapsed, GC.GetTotalPauseDuration() - pause,
            GC.CollectionCount(0) - collections[0], GC.CollectionCount(1) - collections[1], GC.CollectionCount(2) - collections[2],
            GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }
}

/// <summary>The same body for every request (as wrk and hey send), optionally non-streaming.</summary>
internal sealed class FixedBodySource(Uri endpoint, byte[] body, int outputTokens) : IRequestSource
{
    public static byte[] Body(bool stream, int maxTokens) =>
        RequestBodyBuilder.Build(RequestType.ChatCompletions, Burst.Model, "Say hello.", maxTokens, ignoreEos: true, stream: stream);

    public PreparedRequest Prepare(int stage, long index) =>
        new(new CompletionRequest(endpoint, body, $"b-{stage}-{index}"), 4, outputTokens);
}
