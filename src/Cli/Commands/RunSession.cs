using GuidellmFunctions.Cli.Output;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>Runs resolved targets with progress, saves reports, prints the summary: shared by <c>run</c> and <c>demo</c>.</summary>
internal static class RunSession
{
    public static async Task<int> ExecuteAsync(IReadOnlyList<ResolvedTarget> targets, string outputDirectory, IAnsiConsole console, LogLevel logLevel, CancellationToken cancellationToken, RunnerConfig? config = null, IReadOnlyList<RemoteWriteConfig>? extraReceivers = null, string? runId = null)
    {
        using var loggers = ConsoleLog.Create(logLevel);
        var services = EngineServices.Create(loggers, datasets: StorageConnection.Datasets());
        await using var disposeServices = services.ConfigureAwait(false);
        var service = services.GetRequiredService<LoadTestService>();
        var time = services.GetRequiredService<TimeProvider>();
        runId ??= RunIds.New(time);
        if (targets.Any(t => t.Target.Model == AdHocRun.Unknown))
        {
            var found = new List<ResolvedTarget>();
            foreach (var t in targets)
            {
                var (model, problem) = t.Target.Model == AdHocRun.Unknown ? await service.FindSoleModelAsync(t, cancellationToken).ConfigureAwait(false) : (t.Target.Model, null);
                if (model is null)
                {
                    console.MarkupLine($"[red]{Markup.Escape($"--model: {problem}")}[/]");
                    return ExitCodes.InvalidInput;
                }

                found.Add(t with { Target = t.Target with { Model = model } });
            }

            targets = found;
        }

        var live = console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        var receivers = (config?.RemoteWrite ?? []).Concat(extraReceivers ?? []).ToList();

        console.MarkupLine($"Run [bold]{runId}[/]: {targets.Count} target(s)");
        foreach (var t in targets)
        {
            console.MarkupLine(Markup.Escape($"  {t.Environment}/{t.Target.Name} -> {EffectiveConfig.RedactUrl(t.Endpoint)} ({ProfileNames.Format(t.Settings.Profile)}, model {t.Target.Model})"));
        }

        if (receivers.Count > 0)
        {
            console.MarkupLine(Markup.Escape($"Pushing results to {string.Join(", ", receivers.Select(r => EffectiveConfig.RedactUrl(r.Url)))}"));
        }

        RunOutcome outcome;
        var progress = new ProgressDisplay(console, live, time);
        await using (progress.ConfigureAwait(false))
        {
            outcome = await service.RunAsync(config ?? EmptyConfig(targets), targets, runId, RunTrigger.Cli, outputDirectory, extraReceivers, t => [progress.For(t)], cancellationToken).ConfigureAwait(false);
        }

        return WriteOutcome(console, outcome);
    }

    /// <summary>Prints what a run did (skipped targets, where reports went, the summary, exports, failures); returns the exit code.</summary>
    public static int WriteOutcome(IAnsiConsole console, RunOutcome outcome)
    {
        var results = outcome.Results;
        foreach (var skipped in outcome.AlreadyRun)
        {
            console.MarkupLine(Markup.Escape($"{skipped}: run {outcome.RunId} was already saved; not run again"));
        }

        console.MarkupLine(Markup.Escape($"Reports under {outcome.Destination}" + (outcome.PendingUploaded > 0 ? $" ({outcome.PendingUploaded} pending report(s) of earlier runs uploaded)" : string.Empty)));
        SummaryTable.Write(console, results);
        var exit = ExitCodes.Success;
        foreach (var r in results)
        {
            if (r.Saved is { } saved)
            {
                console.MarkupLine(Markup.Escape($"{r.Report.Environment}/{r.Report.Target}: {ReportNames.Of(r.Report.Status)}, report {(saved.Written ? "written to" : "already at")} {saved.Location}"));
                if (saved.Location.EndsWith(".json", StringComparison.Ordinal) && saved.Location[..^".json".Length] + ReportLayout.PageSuffix is var page
                    && (File.Exists(page) || Uri.IsWellFormedUriString(page, UriKind.Absolute)))
                {
                    console.MarkupLine(Markup.Escape($"{r.Report.Environment}/{r.Report.Target}: page {page}"));
                }
            }
            else
            {
                console.MarkupLine($"[red]{Markup.Escape($"{r.Report.Environment}/{r.Report.Target}: {r.SaveError}")}[/]");
                exit = ExitCodes.RunFailed;
            }

            foreach (var export in r.Report.Export ?? [])
            {
                var line = $"{r.Report.Environment}/{r.Report.Target} -> {export.Receiver}: {export.SamplesDelivered} samples delivered, {export.SamplesSpooled} spooled, {export.SamplesRejected} rejected, {export.SamplesReplayed} replayed";
                console.MarkupLine(export.SamplesSpooled + export.SamplesRejected > 0 ? $"[yellow]{Markup.Escape(line)}[/]" : Markup.Escape(line));
                foreach (var error in export.Errors)
                {
                    console.MarkupLine("  " + Markup.Escape(error));
                }
            }

            if (r.Report.Status != RunStatus.Completed)
            {
                console.MarkupLine($"[red]{Markup.Escape($"{r.Report.Environment}/{r.Report.Target} {ReportNames.Of(r.Report.Status)}: {r.Report.StatusReason}")}[/]");
                exit = ExitCodes.RunFailed;
            }
        }

        return exit;
    }

    private static RunnerConfig EmptyConfig(IReadOnlyList<ResolvedTarget> targets) => new()
    {
        Source = "command line",
        Environments = [.. targets.GroupBy(t => t.Environment).Select(g => new EnvironmentConfig(g.Key, [.. g.Select(t => t.Target)]))],
    };
}
