using GuidellmFunctions.Cli.Output;
using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>Runs resolved targets with progress, saves reports, prints the summary: shared by <c>run</c> and <c>demo</c>.</summary>
internal static class RunSession
{
    public static async Task<int> ExecuteAsync(IReadOnlyList<ResolvedTarget> targets, string outputDirectory, IAnsiConsole console, LogLevel logLevel, CancellationToken cancellationToken, IReadOnlyList<RemoteWriteConfig>? remoteWrite = null, ArchiveConfig? archive = null)
    {
        var time = TimeProvider.System;
        using var loggers = ConsoleLog.Create(logLevel);
        using var clients = new TargetHttpClientFactory();
        var runner = new LoadTestRunner(clients, new PromptGenerator(), time, loggers);
        var coordinator = new RunCoordinator(runner);
        var local = new LocalReportStore(outputDirectory, loggers.CreateLogger<LocalReportStore>());
        IReportStore store = local;
        var localSpool = new SampleSpool(Path.Combine(local.Root, ".spool"));
        ISampleSpool spool = localSpool;
        if (archive is not null)
        {
            var blobs = BlobReportStore.Create(archive, loggers.CreateLogger<BlobReportStore>());
            var fallback = new FallbackReportStore(blobs, Path.Combine(local.Root, ".pending"), loggers.CreateLogger<FallbackReportStore>());
            var uploaded = await fallback.UploadPendingAsync(cancellationToken).ConfigureAwait(false);
            console.MarkupLine(Markup.Escape($"Archiving reports to {blobs.ContainerUri}" + (uploaded > 0 ? $" ({uploaded} pending report(s) from earlier runs uploaded)" : string.Empty)));
            store = fallback;
            spool = new BlobSampleSpool(blobs.Container, localSpool);
        }

        var runId = RunIds.New(time);
        var live = console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

        console.MarkupLine($"Run [bold]{runId}[/]: {targets.Count} target(s), reports under [blue]{Markup.Escape(archive is null ? local.Root : archive.Container)}[/]");
        foreach (var t in targets)
        {
            console.MarkupLine(Markup.Escape($"  {t.Environment}/{t.Target.Name} -> {EffectiveConfig.RedactUrl(t.Endpoint)} ({ProfileNames.Format(t.Settings.Profile)}, model {t.Target.Model})"));
        }

        using var exporter = new RemoteWriteExporter(remoteWrite ?? [], spool, time, loggers);
        if (exporter.Enabled)
        {
            console.MarkupLine(Markup.Escape($"Pushing results to {string.Join(", ", (remoteWrite ?? []).Select(r => EffectiveConfig.RedactUrl(r.Url)))}"));
            await exporter.ReplaySpoolAsync(cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<TargetRunResult> results;
        var progress = new ProgressDisplay(console, live, time);
        await using (progress.ConfigureAwait(false))
        {
            results = await coordinator.RunAsync(targets, runId, RunTrigger.Cli, store, Path.Combine(local.Root, ".staging"), t => exporter.Enabled ? [progress.For(t), exporter.ForTarget(t)] : [progress.For(t)], cancellationToken).ConfigureAwait(false);
        }

        SummaryTable.Write(console, results);
        var exit = ExitCodes.Success;
        foreach (var r in results)
        {
            if (r.Saved is { } saved)
            {
                console.MarkupLine(Markup.Escape($"{r.Report.Environment}/{r.Report.Target}: {r.Report.Status}, report {(saved.Written ? "written to" : "already at")} {saved.Location}"));
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

            if (r.Report.Status != "completed")
            {
                console.MarkupLine($"[red]{Markup.Escape($"{r.Report.Environment}/{r.Report.Target} {r.Report.Status}: {r.Report.StatusReason}")}[/]");
                exit = ExitCodes.RunFailed;
            }
        }

        return exit;
    }
}
