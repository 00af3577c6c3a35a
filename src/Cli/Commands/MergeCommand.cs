using System.CommandLine;
using GuidellmFunctions.Cli.Output;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Runs;
using GuidellmFunctions.Engine.Shards;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>
/// <c>merge</c>: merges the shard reports of sharded runs into each run's report, in a local report directory (<c>DIR</c>)
/// or in the report archive of a config (<c>--config</c>: the blob archive, reports pending in <c>--output</c> delivered first).
/// </summary>
internal static class MergeCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var directory = new Argument<string?>("DIR") { Description = "Report directory holding <env>/<target>/<yyyy>/<MM>/<dd>/<runId>.shard-<i>-of-<N>.json (or give --config)", Arity = ArgumentArity.ZeroOrOne };
        var config = CommonOptions.ConfigLocation("Merge in this config's report archive instead of a directory");
        config.DefaultValueFactory = null;
        var connection = new Option<string?>("--connection") { Description = "Storage connection string for a config given as a blob URL (default: AzureWebJobsStorage)", DefaultValueFactory = _ => StorageConnection.FromEnvironment() };
        var output = CommonOptions.Output();
        output.Description = "With --config: the directory of reports pending upload (the worker's --output) and staging files";
        var runId = new Option<string?>("--run-id") { Description = "Only this run (default: every sharded run found)" };
        var partial = new Option<bool>("--partial") { Description = "Also merge runs with missing shards; the merged report is marked partial and names them" };
        var force = new Option<bool>("--force") { Description = "Merge again runs already merged, or whose merge claim is held by a merger that crashed (replaces the merged report)" };
        var command = new Command("merge", "Merge the shard reports of sharded runs (enqueue --shards N) into <runId>.json");
        command.Arguments.Add(directory);
        foreach (var option in (Option[])[config, connection, output, runId, partial, force])
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            if ((result.GetValue(directory) is null) == (result.GetValue(config) is null))
            {
                result.AddError("Give a report directory (DIR) or --config (its report archive), not both");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<string> outcomes;
            try
            {
                outcomes = parse.GetValue(config) is { } location
                    ? await MergeStoredAsync(location, parse.GetValue(connection), parse.GetValue(output)!, parse.GetValue(runId), parse.GetValue(partial), parse.GetValue(force), cancellationToken).ConfigureAwait(false)
                    : await LocalShardMerge.MergeAsync(parse.GetValue(directory)!, parse.GetValue(runId), parse.GetValue(partial), parse.GetValue(force), cancellationToken).ConfigureAwait(false);
            }
            catch (ConfigValidationException ex)
            {
                ConfigOutput.WriteErrors(console, ex);
                return ExitCodes.InvalidInput;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or FormatException or Azure.RequestFailedException)
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

            return outcomes.Any(o => o.Contains("not merged yet", StringComparison.Ordinal) || o.Contains("is merging run", StringComparison.Ordinal)) ? ExitCodes.RunFailed : ExitCodes.Success;
        });
        return command;
    }

    private static async Task<IReadOnlyList<string>> MergeStoredAsync(string location, string? connection, string output, string? runId, bool partial, bool force, CancellationToken cancellationToken)
    {
        var loaded = await new ConfigSource(location, connection is null ? null : StorageConnection.Parse(connection).ConnectionString).LoadAsync(cancellationToken).ConfigureAwait(false);
        using var loggers = ConsoleLog.Create(LogLevel.Warning);
        var services = EngineServices.Create(loggers);
        await using (services.ConfigureAwait(false))
        {
            return await services.GetRequiredService<LoadTestService>().MergeStoredAsync(loaded, runId, partial, force, output, cancellationToken).ConfigureAwait(false);
        }
    }
}
