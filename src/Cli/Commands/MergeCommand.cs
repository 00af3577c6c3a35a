using System.CommandLine;
using GuidellmFunctions.Engine.Shards;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary><c>merge</c>: merges the shard reports of sharded runs in a local report directory into each run's report.</summary>
internal static class MergeCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var directory = new Argument<string>("DIR") { Description = "Report directory holding <env>/<target>/<yyyy>/<MM>/<dd>/<runId>.shard-<i>-of-<N>.json" };
        var runId = new Option<string?>("--run-id") { Description = "Only this run (default: every sharded run found)" };
        var partial = new Option<bool>("--partial") { Description = "Also merge runs with missing shards; the merged report is marked partial and names them" };
        var force = new Option<bool>("--force") { Description = "Merge again runs already merged (replaces their merged report)" };
        var command = new Command("merge", "Merge the shard reports of sharded runs (enqueue --shards N) into <runId>.json");
        command.Arguments.Add(directory);
        command.Options.Add(runId);
        command.Options.Add(partial);
        command.Options.Add(force);
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<string> outcomes;
            try
            {
                outcomes = await LocalShardMerge.MergeAsync(parse.GetValue(directory)!, parse.GetValue(runId), parse.GetValue(partial), parse.GetValue(force), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or FormatException)
            {
                console.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return ExitCodes.InvalidInput;
            }

            if (outcomes.Count == 0)
            {
                console.MarkupLine("[red]no shard report found[/]");
                return ExitCodes.InvalidInput;
            }

            foreach (var outcome in outcomes)
            {
                console.MarkupLine(Markup.Escape(outcome));
            }

            return outcomes.Any(o => o.Contains("not merged yet", StringComparison.Ordinal)) ? ExitCodes.RunFailed : ExitCodes.Success;
        });
        return command;
    }
}
