using System.CommandLine;
using GuidellmFunctions.Cli.Output;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>
/// <c>worker</c>: KEDA ScaledJob mode. Takes on-demand messages from the run queue exactly as the queue trigger does (same
/// handler, same poison queue, same idempotency by run id), one (<c>--once</c>) or until the queue is empty (<c>--drain</c>).
/// </summary>
internal static class WorkerCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var config = CommonOptions.ConfigLocation("YAML config");
        var queue = CommonOptions.Queue();
        var connection = CommonOptions.Connection();
        var once = new Option<bool>("--once") { Description = "Handle one message, then exit (0 also when the queue is empty)" };
        var drain = new Option<bool>("--drain") { Description = "Handle messages until the queue is empty, then exit" };
        var visibility = new Option<string?>("--visibility-timeout") { Description = "How long a taken message stays invisible, renewed at half this while its run lasts; a worker lost mid-run leaves its message to reappear after it (default 2m)" };
        var output = CommonOptions.Output();
        output.DefaultValueFactory = _ => Environment.GetEnvironmentVariable(HostSettings.Output) is { Length: > 0 } dir ? dir : "guidellm-output";
        var logLevel = CommonOptions.LogLevel();
        logLevel.DefaultValueFactory = _ => LogLevel.Information;
        var command = new Command("worker", "Take on-demand runs from the queue as the queue trigger does (for a KEDA ScaledJob)");
        foreach (var option in (Option[])[config, queue, connection, once, drain, visibility, output, logLevel])
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            if (result.GetValue(once) == result.GetValue(drain))
            {
                result.AddError("Give exactly one of --once and --drain");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var problems = new List<string>();
            if (parse.GetValue(config) is null)
            {
                problems.Add("--config (or GUIDELLM_CONFIG) is required: the path or blob URL of the YAML config");
            }

            if (parse.GetValue(connection) is null)
            {
                problems.Add("--connection (or AzureWebJobsStorage) is required: the storage account of the queue");
            }

            var options = new QueueWorkerOptions();
            if (parse.GetValue(visibility) is { } text)
            {
                if (Engine.Configuration.DurationParser.TryParse(text, out var timeout) && timeout >= TimeSpan.FromSeconds(2) && timeout <= TimeSpan.FromDays(7))
                {
                    options = options with { VisibilityTimeout = timeout };
                }
                else
                {
                    problems.Add($"--visibility-timeout '{text}' must be a duration from 2s to 7 days (\"30s\", \"2m\")");
                }
            }

            if (problems.Count > 0)
            {
                problems.ForEach(p => console.MarkupLine("[red]" + Markup.Escape(p) + "[/]"));
                return ExitCodes.InvalidInput;
            }

            using var loggers = ConsoleLog.Create(parse.GetValue(logLevel));
            var services = EngineServices.Create(loggers, o =>
            {
                o.ConfigPath = parse.GetValue(config);
                var storage = StorageConnection.Parse(parse.GetValue(connection)!);
                o.StorageConnection = storage.ConnectionString;
                o.QueueServiceUri = storage.QueueServiceUri;
                o.Queue = parse.GetValue(queue)!;
                o.OutputDirectory = parse.GetValue(output)!;
            });
            await using var disposeServices = services.ConfigureAwait(false);
            try
            {
                _ = services.GetRequiredService<IOptions<GuidellmEngineOptions>>().Value;
            }
            catch (OptionsValidationException ex)
            {
                console.MarkupLine($"[red]Configuration has {ex.Failures.Count()} problem(s):[/]");
                foreach (var failure in ex.Failures)
                {
                    console.MarkupLine("  " + Markup.Escape(failure));
                }

                return ExitCodes.InvalidInput;
            }

            var handler = services.GetRequiredService<OnDemandRunHandler>();
            var worker = ActivatorUtilities.CreateInstance<QueueWorker>(services, options);
            console.MarkupLine(Markup.Escape($"Taking runs from queue {handler.Queue.Name} ({(parse.GetValue(drain) ? "until it is empty" : "one message")})"));
            var summary = await worker.RunAsync(parse.GetValue(drain), result => Write(console, result), cancellationToken).ConfigureAwait(false);
            var ran = summary.Messages.Count(m => m.Outcome is not null);
            var poisoned = summary.Messages.Count(m => m.PoisonReason is not null);
            var left = summary.Messages.Count(m => m.Error is not null);
            console.MarkupLine(Markup.Escape($"{summary.Messages.Count} message(s): {ran} ran, {poisoned} to {handler.Queue.PoisonName}, {left} left on the queue for a retry"));
            return summary.Succeeded ? ExitCodes.Success : ExitCodes.RunFailed;
        });
        return command;
    }

    private static void Write(IAnsiConsole console, QueueMessageResult result)
    {
        if (result.Outcome is { } outcome)
        {
            console.MarkupLine(Markup.Escape($"Message {result.MessageId}: run {outcome.RunId}"));
            RunSession.WriteOutcome(console, outcome);
        }
        else if (result.PoisonReason is { } reason)
        {
            console.MarkupLine($"[yellow]{Markup.Escape($"Message {result.MessageId} moved to the poison queue: {reason}")}[/]");
        }
        else
        {
            console.MarkupLine($"[red]{Markup.Escape($"Message {result.MessageId} left on the queue for a retry: {result.Error}")}[/]");
        }
    }
}
