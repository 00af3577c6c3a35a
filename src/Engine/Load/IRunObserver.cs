using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Receives a run's events as they happen: progress displays, per-request record files and metric exporters. Called
/// from many threads; <see cref="OnRequestCompleted"/> calls of one stage are serialized.
/// </summary>
public interface IRunObserver
{
    /// <summary>A stage begins.</summary>
    void OnStageStarted(StageContext stage);

    /// <summary>A request is about to be sent.</summary>
    void OnRequestStarted(StageContext stage);

    /// <summary>A request ended and its phase is known. <paramref name="result"/> is valid only during the call.</summary>
    void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase);

    /// <summary>A stage ended with <paramref name="report"/>.</summary>
    void OnStageCompleted(StageContext stage, BenchmarkReport report);

    /// <summary>
    /// The target's run ended with <paramref name="report"/>, before it is saved. An observer may finish its work (an
    /// exporter flushes) and return the report with its own section added.
    /// </summary>
    Task<RunReport> OnRunCompletedAsync(RunReport report, CancellationToken cancellationToken) => Task.FromResult(report);
}
