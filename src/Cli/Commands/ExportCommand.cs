using System.CommandLine;
using System.Text.Json;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Reporting;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary><c>export</c>: turns an archived run report into OpenMetrics text for <c>promtool tsdb create-blocks-from openmetrics</c>.</summary>
internal static class ExportCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var report = new Argument<string>("REPORT") { Description = "Run report (<runId>.json)" };
        var format = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => "openmetrics" };
        format.AcceptOnlyFromAmong("openmetrics");
        var output = new Option<string?>("--output", "-o") { Description = "File to write (standard output when absent)" };
        var command = new Command("export", "Export an archived report's series as OpenMetrics, to backfill data older than a receiver accepts");
        command.Arguments.Add(report);
        command.Options.Add(format);
        command.Options.Add(output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(report)!;
            RunReport? loaded;
            try
            {
                var stream = File.OpenRead(path);
                await using (stream.ConfigureAwait(false))
                {
                    loaded = await JsonSerializer.DeserializeAsync(stream, ReportJsonContext.Default.RunReport, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
            {
                console.MarkupLine($"[red]{Markup.Escape($"{path}: cannot read the report: {ex.Message}")}[/]");
                return ExitCodes.InvalidInput;
            }

            try
            {
                if (parse.GetValue(output) is { } file)
                {
                    await using var writer = new StreamWriter(file);
                    OpenMetricsWriter.Write(loaded!, writer);
                }
                else
                {
                    OpenMetricsWriter.Write(loaded!, Console.Out);
                }
            }
            catch (InvalidOperationException ex)
            {
                console.MarkupLine($"[red]{Markup.Escape($"{path}: {ex.Message}")}[/]");
                return ExitCodes.InvalidInput;
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
