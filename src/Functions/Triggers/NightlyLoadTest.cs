using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Runs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace GuidellmFunctions.Functions.Triggers;

/// <summary>
/// Runs every target of <c>GUIDELLM_ENVIRONMENT</c> (discovered ones included) on <c>GUIDELLM_SCHEDULE</c> (six-field
/// NCRONTAB), unless the schedule is paused (<see cref="ControlFunctions"/>: a flag in the archive).
/// </summary>
public sealed class NightlyLoadTest(LoadTestService service, ConfigSource source, IOptions<GuidellmEngineOptions> options, TimeProvider time)
{
    /// <summary>The timer trigger.</summary>
    [Function(nameof(NightlyLoadTest))]
    public Task RunAsync([TimerTrigger("%GUIDELLM_SCHEDULE%")] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return HandleAsync(time.GetUtcNow(), context.CancellationToken);
    }

    /// <summary>Runs the occurrence firing at <paramref name="firedAt"/>.</summary>
    internal async Task<RunOutcome> HandleAsync(DateTimeOffset firedAt, CancellationToken cancellationToken)
    {
        var config = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
        var environment = options.Value.Environment ?? throw new ConfigValidationException("GUIDELLM_ENVIRONMENT must name the environment the timer runs");
        var targets = config.ResolveTargets(environment);
        if (config.Archive is { } archive && await new ArchiveControl(archive).IsPausedAsync(cancellationToken).ConfigureAwait(false))
        {
            return new RunOutcome(RunIds.ForTimer(firedAt), [], "paused: no run", 0, []);
        }

        return await service.RunAsync(config, targets, RunIds.ForTimer(firedAt), RunTrigger.Timer, options.Value.OutputDirectory, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
