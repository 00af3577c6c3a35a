using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Diagnostics;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Load;

/// <summary>Runs every stage of one target's profile (a sweep's stages in turn) and produces its <see cref="RunReport"/>.</summary>
internal sealed class LoadTestRunner
{
    private readonly TargetTransportFactory _transports;
    private readonly PromptGenerator _prompts;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly DatasetOpener _datasets;

    /// <summary>Creates a runner; <paramref name="datasets"/> opens datasets (by default with no storage connection: a blob is read with its SAS or managed identity).</summary>
    public LoadTestRunner(TargetTransportFactory transports, PromptGenerator prompts, TimeProvider time, ILoggerFactory? loggers = null, DatasetOpener? datasets = null)
    {
        ArgumentNullException.ThrowIfNull(transports);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(time);
        _transports = transports;
        _prompts = prompts;
        _time = time;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<LoadTestRunner>();
        _datasets = datasets ?? new DatasetOpener();
        MonitorsFor = target =>
        [
            new Validity.ValidityMonitor(_time, _loggers.CreateLogger<Validity.ValidityMonitor>()),
            .. ServerMetrics.ServerMetricsMonitor.For(target, _time, ServerMetrics.ServerMetricsHttp.For, _loggers.CreateLogger<ServerMetrics.ServerMetricsMonitor>()) is { } server ? [server] : (IStageMonitor[])[],
        ];
    }

    /// <summary>What watches each stage of a target's run besides its requests: the runner's validity, the server's metrics.</summary>
    internal Func<ResolvedTarget, IReadOnlyList<IStageMonitor>> MonitorsFor { get; init; }

    /// <summary>The Entra ID credential of <c>auth: azure_ad</c> targets: DefaultAzureCredential (managed identity, workload identity, a developer login).</summary>
    internal Func<Azure.Core.TokenCredential> Credentials { get; init; } = () => new Azure.Identity.DefaultAzureCredential();

    /// <summary>Asks <paramref name="target"/> for its model list with its own transport and credentials (the pre-flight's GET).</summary>
    internal async Task<ModelsProbe> ProbeModelsAsync(ResolvedTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = new OpenAiStreamingClient(_transports.TransportFor(target.Endpoint, target.Settings), _time, _loggers.CreateLogger<OpenAiStreamingClient>());
        var probe = new CompletionRequest(target.Endpoint, ReadOnlyMemory<byte>.Empty, "models", target.Credential, target.CredentialHeader, target.Target.Headers);
        return await client.ProbeModelsAsync(probe, TimeSpan.FromSeconds(Math.Min(10, target.Settings.RequestTimeout.TotalSeconds)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="target"/>; never throws for target faults: they are in the report's status.</summary>
    public async Task<RunReport> RunAsync(ResolvedTarget target, string runId, RunTrigger trigger, IReadOnlyList<IRunObserver> observers, CancellationToken cancellationToken, IRequestSource? source = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(observers);
        var startedAt = _time.GetUtcNow();
        var benchmarks = new List<BenchmarkReport>();
        CapacityReport? capacity = null;
        string? failure = null;
        DatasetRequestSource? dataset = null;
        try
        {
            if (target.Settings.Get(SettingsTable.Auth) is { } auth)
            {
                var (tokens, tokenFailure) = await AzureAdTokenSource.StartAsync(Credentials(), auth, _time, _loggers.CreateLogger<AzureAdTokenSource>(), cancellationToken).ConfigureAwait(false);
                if (tokens is null)
                {
                    Log.RunFailed(_logger, target.Environment, target.Target.Name, tokenFailure!);
                    return Finish(target, runId, trigger, startedAt, benchmarks, null, null, tokenFailure, cancellationToken.IsCancellationRequested);
                }

                target = target with { Tokens = tokens };
            }

            var client = new OpenAiStreamingClient(_transports.TransportFor(target.Endpoint, target.Settings), _time, _loggers.CreateLogger<OpenAiStreamingClient>());
            var executor = new RequestExecutor(client, _time, _loggers.CreateLogger<RequestExecutor>());
            var stages = new StageRunner(executor, _time, _loggers.CreateLogger<StageRunner>()) { Monitors = MonitorsFor(target) };
            if (source is null && target.Settings.Get(SettingsTable.Dataset) is not null)
            {
                source = dataset = await Task.Run(() => DatasetRequestSource.Open(target, _prompts, runId, _datasets, _loggers.CreateLogger<DatasetRequestSource>()), cancellationToken).ConfigureAwait(false);
            }

            source ??= new SyntheticRequestSource(target, _prompts, runId);
            var settings = target.Settings;
            if (await CodePathWarmup.RunOnceAsync().ConfigureAwait(false) is { } warmupFailure)
            {
                Log.CodePathWarmupFailed(_logger, $"{warmupFailure.GetType().Name}: {warmupFailure.Message}");
            }

            var probe = new CompletionRequest(target.Endpoint, ReadOnlyMemory<byte>.Empty, runId + "-warmup", target.Credential, target.CredentialHeader, target.Target.Headers);
            var models = await client.ProbeModelsAsync(probe, TimeSpan.FromSeconds(Math.Min(10, settings.RequestTimeout.TotalSeconds)), cancellationToken).ConfigureAwait(false);
            failure = Preflight.Check(models, target.Target.Model, settings.Get(SettingsTable.CheckModel));
            if (failure is not null)
            {
                Log.RunFailed(_logger, target.Environment, target.Target.Name, failure);
            }
            else if (settings.Profile == ProfileKind.Capacity)
            {
                capacity = await new Capacity.CapacityRunner(stages, _time, _logger).RunAsync(runId, target, source, observers, benchmarks, cancellationToken).ConfigureAwait(false);
            }
            else if (settings.Profile != ProfileKind.Sweep)
            {
                benchmarks.Add(await stages.RunAsync(runId, target, StagePlan.Create(settings, 0, settings.Profile), source, observers, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                await RunSweepAsync(stages, target, runId, source, observers, benchmarks, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure = ex is DatasetException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            Log.RunFailed(_logger, target.Environment, target.Target.Name, failure);
        }
        finally
        {
            dataset?.Dispose();
        }

        return Finish(target, runId, trigger, startedAt, benchmarks, capacity, dataset, failure, cancellationToken.IsCancellationRequested);
    }

    private RunReport Finish(ResolvedTarget target, string runId, RunTrigger trigger, DateTimeOffset startedAt, List<BenchmarkReport> benchmarks, CapacityReport? capacity, DatasetRequestSource? dataset, string? failure, bool cancelled)
    {
        // A capacity search's later probes are meant to fail; only its first must serve requests for the run to count.
        var judged = capacity is null ? benchmarks : benchmarks.Take(1).ToList();
        var (status, reason) = Judge(judged, failure, cancelled);
        return new RunReport
        {
            RunId = runId,
            Environment = target.Environment,
            Target = target.Target.Name,
            Model = target.Target.Model,
            Status = status,
            StatusReason = reason,
            StartedAt = startedAt,
            EndedAt = _time.GetUtcNow(),
            Trigger = trigger,
            Config = EffectiveConfig.Describe(target),
            Dataset = dataset?.Describe(),
            Benchmarks = benchmarks,
            Capacity = capacity,
        };
    }

    private async Task RunSweepAsync(StageRunner stages, ResolvedTarget target, string runId, IRequestSource source, IReadOnlyList<IRunObserver> observers, List<BenchmarkReport> benchmarks, CancellationToken cancellationToken)
    {
        var settings = target.Settings;
        var sync = await stages.RunAsync(runId, target, StagePlan.Create(settings, 0, ProfileKind.Synchronous), source, observers, cancellationToken).ConfigureAwait(false);
        benchmarks.Add(sync);
        if (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        var throughput = await stages.RunAsync(runId, target, StagePlan.Create(settings, 1, ProfileKind.Throughput), source, observers, cancellationToken).ConfigureAwait(false);
        benchmarks.Add(throughput);
        var rates = SweepPlanner.ConstantRates(sync.Summary.Throughput.RequestsPerSecond, throughput.Summary.Throughput.RequestsPerSecond, settings.SweepSize);
        Log.SweepRates(_logger, target.Environment, target.Target.Name, sync.Summary.Throughput.RequestsPerSecond, throughput.Summary.Throughput.RequestsPerSecond, string.Join(", ", rates.Select(r => r.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))));
        for (var i = 0; i < rates.Count && !cancellationToken.IsCancellationRequested; i++)
        {
            benchmarks.Add(await stages.RunAsync(runId, target, StagePlan.Create(settings, i + 2, ProfileKind.Constant, rates[i]), source, observers, cancellationToken).ConfigureAwait(false));
        }
    }

    private static (RunStatus Status, string? Reason) Judge(List<BenchmarkReport> benchmarks, string? failure, bool cancelled)
    {
        if (cancelled)
        {
            return (RunStatus.Cancelled, "cancelled before the run finished; the report holds what was measured");
        }

        if (failure is not null)
        {
            return (RunStatus.Failed, failure);
        }

        foreach (var b in benchmarks)
        {
            var errors = string.Join(", ", b.Summary.Errors.Select(e => $"{e.Key}={e.Value}"));
            if (b.StopReason == TargetRefusesBreaker.StopReason)
            {
                return (RunStatus.Failed, $"stage {b.Index} ({b.Profile.Kind}) stopped: the target refuses the requests ({errors}); "
                    + string.Join("; ", b.Summary.ErrorMessages.Select(m => $"{m.Key}: {m.Value}")));
            }

            if (b.StopReason == "max_errors")
            {
                return (RunStatus.Failed, $"stage {b.Index} ({b.Profile.Kind}) stopped at max_errors: {errors}");
            }

            if (b.Summary.Requests.Successful == 0)
            {
                return (RunStatus.Failed, $"stage {b.Index} ({b.Profile.Kind}) had no successful request" + (errors.Length > 0 ? $": {errors}" : string.Empty));
            }
        }

        return benchmarks.Count == 0 ? (RunStatus.Failed, "no stage ran") : (RunStatus.Completed, null);
    }
}
