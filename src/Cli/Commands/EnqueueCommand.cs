using System.CommandLine;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Runs;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>
/// <c>enqueue</c>: posts an on-demand run message. The message is checked as the trigger will check it, against the
/// config when one is given (<c>--config</c> or <c>GUIDELLM_CONFIG</c>), so a message that could never succeed is refused
/// here rather than found later in the poison queue.
/// </summary>
internal static class EnqueueCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var environment = new Option<string>("--environment", "-e") { Description = "Environment to run", Required = true };
        var targets = new Option<string[]>("--target", "-t") { Description = "Target to run (repeatable; all when absent)" };
        var overrides = new Option<string[]>("--override") { Description = $"Setting over the config's, key=value (repeatable): {string.Join(", ", SettingsTable.In(SettingChannels.Queue).Select(s => s.OverrideKey))}" };
        var runId = new Option<string?>("--run-id") { Description = "Run id (default: a new one); a second message with the same id runs nothing" };
        var requestedBy = new Option<string?>("--requested-by") { Description = "Who asks, for the record (default: the user name)" };
        var config = CommonOptions.ConfigLocation("Check the message against this config");
        var queue = CommonOptions.Queue();
        var connection = CommonOptions.Connection();
        var command = new Command("enqueue", "Post an on-demand run to the queue (for the queue trigger or the KEDA worker)");
        foreach (var option in (Option[])[environment, targets, overrides, runId, requestedBy, config, queue, connection])
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var problems = new List<string>();
            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var item in parse.GetValue(overrides) ?? [])
            {
                var split = item.IndexOf('=', StringComparison.Ordinal);
                if (split <= 0)
                {
                    problems.Add($"--override '{item}' is not key=value");
                    continue;
                }

                pairs.Add(new(item[..split].Trim(), item[(split + 1)..].Trim()));
            }

            if (parse.GetValue(connection) is null)
            {
                problems.Add("--connection (or AzureWebJobsStorage) is required: the storage account of the queue");
            }

            var id = parse.GetValue(runId) ?? RunIds.New(TimeProvider.System);
            var message = RunRequestParser.Compose(id, parse.GetValue(environment)!, parse.GetValue(targets) ?? [], pairs, parse.GetValue(requestedBy) ?? Environment.UserName);
            RunnerConfig? loaded = null;
            if (problems.Count == 0 && parse.GetValue(config) is { } location)
            {
                try
                {
                    loaded = await new ConfigSource(location, StorageConnection.Parse(parse.GetValue(connection)!).ConnectionString).LoadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ConfigValidationException ex)
                {
                    ConfigOutput.WriteErrors(console, ex);
                    return ExitCodes.InvalidInput;
                }
            }

            if (problems.Count == 0 && RunRequestParser.Parse(message, loaded, id, out var reason) is null)
            {
                problems.Add(reason!);
            }

            if (problems.Count > 0)
            {
                problems.ForEach(p => console.MarkupLine("[red]" + Markup.Escape(p) + "[/]"));
                return ExitCodes.InvalidInput;
            }

            var runQueue = StorageConnection.Parse(parse.GetValue(connection)!).Open(parse.GetValue(queue));
            var messageId = await runQueue.SendAsync(message, cancellationToken).ConfigureAwait(false);
            console.MarkupLine(Markup.Escape($"Queued run {id} on {runQueue.Name} (message {messageId})" + (loaded is null ? "; not checked against a config" : string.Empty)));
            console.WriteLine(message);
            return ExitCodes.Success;
        });
        return command;
    }
}
