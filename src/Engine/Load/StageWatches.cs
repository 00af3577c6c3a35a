using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Diagnostics;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Load;

/// <summary>The watches of one stage, called together; a watch that throws is logged and left out, never failing the stage.</summary>
internal sealed class StageWatches : IAsyncDisposable
{
    private readonly List<IStageWatch> _watches;
    private readonly ILogger _logger;

    private StageWatches(List<IStageWatch> watches, ILogger logger)
    {
        _watches = watches;
        _logger = logger;
    }

    /// <summary>Begins every monitor's watch of <paramref name="plan"/>, before the stage's clock starts.</summary>
    public static async Task<StageWatches> BeginAsync(IReadOnlyList<IStageMonitor> monitors, ResolvedTarget target, StagePlan plan, ILogger logger, CancellationToken cancellationToken)
    {
        var watches = new List<IStageWatch>(monitors.Count);
        foreach (var monitor in monitors)
        {
            try
            {
                if (await monitor.BeginAsync(target, plan, cancellationToken).ConfigureAwait(false) is { } watch)
                {
                    watches.Add(watch);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.StageWatchFailed(logger, monitor.GetType().Name, plan.Index, $"{ex.GetType().Name}: {ex.Message}");
            }
        }

        return new StageWatches(watches, logger);
    }

    /// <summary>The stage's clock started.</summary>
    public void Started(StageContext stage)
    {
        foreach (var watch in _watches)
        {
            watch.Started(stage);
        }
    }

    /// <summary><paramref name="report"/> with every watch's section added.</summary>
    public async Task<BenchmarkReport> CompleteAsync(BenchmarkReport report, CancellationToken cancellationToken)
    {
        foreach (var watch in _watches)
        {
            try
            {
                report = await watch.CompleteAsync(report, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.StageWatchFailed(_logger, watch.GetType().Name, report.Index, $"{ex.GetType().Name}: {ex.Message}");
            }
        }

        return report;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var watch in _watches)
        {
            await watch.DisposeAsync().ConfigureAwait(false);
        }
    }
}
