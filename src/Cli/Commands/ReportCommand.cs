using System.CommandLine;
using System.Text;
using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Reporting.Html;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary><c>report</c>: renders a saved report (and its per-request records) as one self-contained HTML page, compared with a baseline when given.</summary>
internal static class ReportCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var report = new Argument<string>("REPORT") { Description = "Run report (<runId>.json): a file or a blob URL; its .requests.jsonl.gz is read from beside it" };
        var baseline = new Option<string?>("--baseline") { Description = "A report to compare with: both runs overlaid, changes and the report's verdict shown" };
        var html = new Option<string?>("--html") { Description = "The HTML file to write (required)" };
        var connection = new Option<string?>("--connection")
        {
            Description = "Storage connection string for blob URLs in its account (default: AzureWebJobsStorage); other blob URLs are read with their SAS or the managed identity",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AzureWebJobsStorage") is { Length: > 0 } value ? value : null,
        };
        var command = new Command("report", "Render a saved run report as a self-contained HTML page (charts inline, nothing loaded from any network)");
        command.Arguments.Add(report);
        command.Options.Add(baseline);
        command.Options.Add(html);
        command.Options.Add(connection);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(html) is not { Length: > 0 } target)
            {
                console.MarkupLine("[red]--html OUT is required: the file to write the page to[/]");
                return ExitCodes.InvalidInput;
            }

            var storage = parse.GetValue(connection);
            ReportDocument current;
            ReportDocument? before = null;
            try
            {
                current = await ArchivedReport.LoadAsync(parse.GetValue(report)!, storage, cancellationToken).ConfigureAwait(false);
                if (parse.GetValue(baseline) is { } location)
                {
                    before = await ArchivedReport.LoadAsync(location, storage, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is NotARunReportException or IOException)
            {
                console.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return ExitCodes.InvalidInput;
            }

            var output = Path.GetFullPath(target);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(output)!);
                var temp = output + ".tmp";
                await File.WriteAllTextAsync(temp, ReportPage.Render(current, before), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
                File.Move(temp, output, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                console.MarkupLine($"[red]{Markup.Escape($"{output}: cannot be written: {ex.Message}")}[/]");
                return ExitCodes.RunFailed;
            }

            console.MarkupLine(Markup.Escape($"{current.Environment}/{current.Target} {current.RunId}: page written to {output}"
                + (current.HasRequests ? string.Empty : " (no per-request records beside the report: no over-time charts)")));
            return ExitCodes.Success;
        });
        return command;
    }
}
