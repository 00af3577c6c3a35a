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
        var shards = new Option<int>("--shards") { Description = $"Split the run across N workers (1 to {Engine.Runs.ShardMessages.MaxShards}): N messages, one per shard, starting together", DefaultValueFactory = _ => 1 };
        var startAt = new Option<DateTimeOffset?>("--start-at") { Description = "When the shards start (ISO 8601; default: 30 s from now, for KEDA or the Functions host to scale out)" };
        var mergeGrace = new Option<string?>("--merge-grace") { Description = "How long past the shards' planned end the late check waits before merging without a missing shard, and how old a merge claim must be to be taken over (default 5m)" };
        var config = CommonOptions.ConfigLocation("Check the message against this config");
        var queue = CommonOptions.Queue();
        var connection = CommonOptions.Connection();
        var command = new Command("enqueue", "Post an on-demand run to the queue (for the queue trigger or the KEDA worker)");
        foreach (var option in (Option[])[environment, targets, overrides, runId, requestedBy, shards, startAt, mergeGrace, config, queue, connection])
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

            var count = parse.GetValue(shards);
            if (count < 1 || count > ShardMessages.MaxShards)
            {
                problems.Add($"--shards must be 1 to {ShardMessages.MaxShards}, not {count}");
            }

            var id = parse.GetValue(runId) ?? RunIds.New(TimeProvider.System);
            var message = RunRequestParser.Compose(id, parse.GetValue(environment)!, parse.GetValue(targets) ?? [], pairs, parse.GetValue(requestedBy) ?? Environment.UserName);
            var start = parse.GetValue(startAt) ?? TimeProvider.System.GetUtcNow() + ShardMessages.DefaultStartDelay;
            if (parse.GetValue(mergeGrace) is { } grace)
            {
                // Checked with the message: the parser names a grace it refuses.
                var node = System.Text.Json.Nodes.JsonNode.Parse(message)!.AsObject();
                node["mergeGrace"] = grace;
                message = node.ToJsonString();
            }

            if (count > 1 && problems.Count == 0)
            {
                // Checked as the shards' own messages: the config refuses a load that cannot be split this many ways.
                message = ShardMessages.Shard(message, 1, count, start);
            }
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

            string? reason = null;
            var request = problems.Count == 0 ? RunRequestParser.Parse(message, loaded, id, out reason) : null;
            if (problems.Count == 0 && request is null)
            {
                problems.Add(reason!);
            }

            if (problems.Count > 0)
            {
                problems.ForEach(p => console.MarkupLine("[red]" + Markup.Escape(p) + "[/]"));
                return ExitCodes.InvalidInput;
            }

            var runQueue = StorageConnection.Parse(parse.GetValue(connection)!).Open(parse.GetValue(queue));
            if (count > 1)
            {
                for (var i = 1; i <= count; i++)
                {
                    var shardMessage = ShardMessages.Shard(message, i, count, start);
                    var shardId = await runQueue.SendAsync(shardMessage, cancellationToken).ConfigureAwait(false);
                    console.WriteLine($"{shardMessage} (message {shardId})");
                }

                var targetsOfRun = loaded?.ResolveTargets(request!.Environment, request.Targets, request.Overrides);
                var checkAt = ShardMessages.CheckAt(request!, targetsOfRun, start);
                await runQueue.SendLaterAsync(ShardMessages.Check(message, count, start), checkAt - TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                console.MarkupLine(Markup.Escape($"Queued run {id} as {count} shards on {runQueue.Name}, starting at {start.UtcDateTime:O}; shards missing at {checkAt.UtcDateTime:O} are merged without them"
                    + (loaded is null ? "; not checked against a config" : string.Empty)));
                return ExitCodes.Success;
            }

            var messageId = await runQueue.SendAsync(message, cancellationToken).ConfigureAwait(false);
            console.MarkupLine(Markup.Escape($"Queued run {id} on {runQueue.Name} (message {messageId})" + (loaded is null ? "; not checked against a config" : string.Empty)));
            console.WriteLine(message);
            return ExitCodes.Success;
        });
        return command;
    }
}
