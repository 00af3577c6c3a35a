using System.Collections.Concurrent;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>Keeps the scalar outcome of every request, in completion order.</summary>
public sealed class CapturingObserver : IRunObserver
{
    public ConcurrentQueue<(long Index, long Scheduled, long Sent, RequestStatus Status, FailureReason? Reason, RequestPhase Phase)> Results { get; } = new();

    public List<BenchmarkReport> Stages { get; } = [];

    public int Started;

    public void OnStageStarted(StageContext stage)
    {
    }

    public void OnRequestStarted(StageContext stage) => Interlocked.Increment(ref Started);

    public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase) =>
        Results.Enqueue((result.Index, result.ScheduledTimestamp - stage.StartTimestamp, result.SentTimestamp - stage.StartTimestamp, result.Status, result.Reason, phase));

    public void OnStageCompleted(StageContext stage, BenchmarkReport report)
    {
        lock (Stages)
        {
            Stages.Add(report);
        }
    }
}
