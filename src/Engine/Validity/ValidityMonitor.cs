using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Diagnostics;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Validity;

/// <summary>Watches the runner itself during each stage and adds <c>benchmarks[].validity</c>.</summary>
internal sealed class ValidityMonitor(TimeProvider time, ILogger logger) : IStageMonitor
{
    /// <summary>How often the thread pool's lateness is sampled.</summary>
    public static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(100);

    /// <inheritdoc />
    public Task<IStageWatch?> BeginAsync(ResolvedTarget target, StagePlan plan, CancellationToken cancellationToken) =>
        Task.FromResult<IStageWatch?>(new Watch(new RunnerLoadProbe(time, ProbePeriod), target, plan, logger));

    private sealed class Watch(RunnerLoadProbe probe, ResolvedTarget target, StagePlan plan, ILogger logger) : IStageWatch
    {
        public void Started(StageContext stage) => probe.Start();

        public Task<BenchmarkReport> CompleteAsync(BenchmarkReport report, CancellationToken cancellationToken)
        {
            var validity = ValidityJudge.Judge(probe.Stop(), report, plan, ValidityJudge.Scheduled(plan, target));
            if (!validity.Valid)
            {
                Log.StageNotValid(logger, plan.Index, target.Environment, target.Target.Name, string.Join("; ", validity.Reasons));
            }

            return Task.FromResult(report with { Validity = validity });
        }

        public ValueTask DisposeAsync()
        {
            probe.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
