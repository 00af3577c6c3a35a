using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Load;

/// <summary>One stage as an <see cref="IStageMonitor"/> watches it; disposed when the stage is over, whatever happened.</summary>
internal interface IStageWatch : IAsyncDisposable
{
    /// <summary>The stage's clock started.</summary>
    void Started(StageContext stage);

    /// <summary>
    /// The stage ended with every request back: returns <paramref name="report"/> with this watch's section added.
    /// <paramref name="cancellationToken"/> is the run's; a cancelled run still gets its sections, from bounded reads.
    /// </summary>
    Task<BenchmarkReport> CompleteAsync(BenchmarkReport report, CancellationToken cancellationToken);
}
