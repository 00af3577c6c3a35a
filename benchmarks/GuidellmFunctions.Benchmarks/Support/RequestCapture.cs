using System.Collections.Concurrent;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>What the runner measured for one request of the measured window.</summary>
internal readonly record struct Measured(string RequestId, bool Ok, double DispatchMs, double? TtftMs, double? ItlMeanMs, int Chunks, long SentTimestamp, long FirstContentTimestamp);

/// <summary>Keeps the runner's own measurement of every measured request, to compare with the server's.</summary>
internal sealed class RequestCapture(bool keepRequests) : IRunObserver
{
    private long _chunks;
    private long _requests;

    public ConcurrentQueue<Measured> Requests { get; } = new();

    public long Chunks => Interlocked.Read(ref _chunks);

    public long Total => Interlocked.Read(ref _requests);

    public void OnStageStarted(StageContext stage)
    {
    }

    public void OnRequestStarted(StageContext stage)
    {
    }

    public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _chunks, result.ContentChunks);
        if (!keepRequests || phase != RequestPhase.Measured)
        {
            return;
        }

        var frequency = (double)result.TimestampFrequency;
        var dispatch = (result.SentTimestamp - result.ScheduledTimestamp) * 1000 / frequency;
        double? itl = result.ContentChunks > 1 ? (result.LastContentTimestamp - result.FirstContentTimestamp) * 1000 / frequency / (result.ContentChunks - 1) : null;
        Requests.Enqueue(new Measured(result.RequestId, result.Status == RequestStatus.Successful, dispatch, result.TtftMs, itl, result.ContentChunks, result.SentTimestamp, result.FirstContentTimestamp));
    }

    public void OnStageCompleted(StageContext stage, BenchmarkReport report)
    {
    }
}
