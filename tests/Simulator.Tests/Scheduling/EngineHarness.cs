using GuidellmFunctions.Simulator.Metrics;
using GuidellmFunctions.Simulator.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Simulator.Tests.Scheduling;

/// <summary>The engine alone on a fake clock: requests of synthetic tokens, time advanced a millisecond at a time, token times watched.</summary>
internal sealed class EngineHarness : IDisposable
{
    private readonly Dictionary<EngineRequest, List<double>> _tokenTimes = [];
    private int _ids;

    public EngineHarness(SimulatorOptions options)
    {
        Options = options;
        Metrics = new VllmMetrics(options, Time);
        Scheduler = new StepScheduler(options, Metrics, Time);
        Start = Time.GetTimestamp();
    }

    public FakeTimeProvider Time { get; } = new();

    public SimulatorOptions Options { get; }

    public VllmMetrics Metrics { get; }

    public StepScheduler Scheduler { get; }

    public long Start { get; }

    /// <summary>Milliseconds since the harness started.</summary>
    public double Now => Ms(Start, Time.GetTimestamp());

    /// <summary><paramref name="count"/> tokens no other call's <paramref name="seed"/> shares.</summary>
    public static int[] Tokens(int count, int seed) => [.. Enumerable.Range(0, count).Select(i => (seed * 1_000_000) + i)];

    public EngineRequest Submit(int[] prompt, int outputTokens, FinishReason finish = FinishReason.Length)
    {
        var hashes = Scheduler.HashesPrompts ? PromptBlocks.Hash(prompt, Options.BlockSize) : [];
        var request = new EngineRequest($"r{++_ids}", Time.GetTimestamp(), prompt.Length, hashes, outputTokens, finish);
        _tokenTimes[request] = [];
        Scheduler.Submit(request);
        Observe();
        return request;
    }

    /// <summary>Advances the clock by whole milliseconds, noting after each when every request's token count moved.</summary>
    public void Advance(double ms)
    {
        for (var i = 0; i < (int)Math.Round(ms); i++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(1));
            Observe();
        }
    }

    /// <summary>Advances until every request is done (at most a minute of fake time).</summary>
    public void RunUntilDone(params EngineRequest[] requests)
    {
        for (var i = 0; i < 60_000 && !requests.All(r => r.IsDone); i++)
        {
            Advance(1);
        }

        Assert.All(requests, r => Assert.True(r.IsDone, $"{r.Id} still not done at {Now} ms"));
    }

    /// <summary>When each token of <paramref name="request"/> was seen, in ms since start (several at once when a step made several).</summary>
    public IReadOnlyList<double> TokenTimes(EngineRequest request) => _tokenTimes[request];

    public double TtftMs(EngineRequest request) => Ms(request.Arrival, request.FirstTokenAt);

    public double Ms(long from, long to) => (to - from) * 1000.0 / Time.TimestampFrequency;

    public void Dispose() => Scheduler.Dispose();

    private void Observe()
    {
        foreach (var (request, times) in _tokenTimes)
        {
            while (times.Count < request.Produced)
            {
                times.Add(Now);
            }
        }
    }
}
