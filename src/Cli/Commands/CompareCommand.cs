using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Reporting.Html;
using GuidellmFunctions.Engine.Verdicts;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>
/// <c>compare CURRENT BASELINE</c>: the verdict of one saved run against another, from their reports and per-request
/// records, as every run computes it against its baseline. Exit 0 no regression, 1 regressed, 2 bad input or runs that
/// cannot be compared (with the reason).
/// </summary>
internal static class CompareCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var current = new Argument<string>("CURRENT") { Description = "The run to judge (<runId>.json or its blob URL, its .requests.jsonl.gz beside it)" };
        var baseline = new Argument<string>("BASELINE") { Description = "The run to compare with (<runId>.json or its blob URL, its .requests.jsonl.gz beside it)" };
        var connection = new Option<string?>("--connection")
        {
            Description = "Storage connection string for blob URLs in its account (default: AzureWebJobsStorage); other blob URLs are read with their SAS or the managed identity",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AzureWebJobsStorage") is { Length: > 0 } value ? value : null,
        };
        var threshold = new Option<double?>("--threshold") { Description = "Smallest relative change called a regression (default: CURRENT's regression_threshold, else 0.05)" };
        var command = new Command("compare", "Compare two saved runs: is CURRENT regressed against BASELINE? (TTFT, TPOT, E2E median and p95, output throughput)");
        command.Arguments.Add(current);
        command.Arguments.Add(baseline);
        command.Options.Add(threshold);
        command.Options.Add(connection);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var copies = Directory.CreateTempSubdirectory("guidellm-compare-").FullName;
            try
            {
                return await CompareAsync(console, parse, current, baseline, threshold, connection, copies, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Directory.Delete(copies, recursive: true);
            }
        });
        return command;
    }

    private static async Task<int> CompareAsync(IAnsiConsole console, ParseResult parse, Argument<string> current, Argument<string> baseline, Option<double?> threshold, Option<string?> connection, string copies, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var storage = parse.GetValue(connection);
        var now = await LoadAsync(await FetchAsync(parse.GetValue(current)!, storage, Path.Combine(copies, "current"), problems, cancellationToken).ConfigureAwait(false), problems, cancellationToken).ConfigureAwait(false);
        var before = await LoadAsync(await FetchAsync(parse.GetValue(baseline)!, storage, Path.Combine(copies, "baseline"), problems, cancellationToken).ConfigureAwait(false), problems, cancellationToken).ConfigureAwait(false);
        var limit = parse.GetValue(threshold) ?? (now is null ? 0 : Threshold(now.Value.Report));
        if (limit is <= 0 or >= 1)
        {
            problems.Add($"--threshold must be above 0 and below 1 (a share: 0.05 for 5%), got {limit.ToString(CultureInfo.InvariantCulture)}");
        }

        if (problems.Count > 0)
        {
            problems.ForEach(p => console.MarkupLine($"[red]{Markup.Escape(p)}[/]"));
            return ExitCodes.InvalidInput;
        }

        VerdictReport verdict;
        try
        {
            verdict = await VerdictJudge.CompareAsync(now!.Value.Report, Open(now.Value.Records), before!.Value.Report, Open(before.Value.Records), limit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            console.MarkupLine($"[red]{Markup.Escape($"cannot read the per-request records: {ex.Message}")}[/]");
            return ExitCodes.InvalidInput;
        }

        Write(console, now.Value.Report, verdict);
        return verdict.Result switch
        {
            "regressed" => ExitCodes.RunFailed,
            "incomparable" => ExitCodes.InvalidInput,
            _ => ExitCodes.Success,
        };
    }

    /// <summary>A local path to the report at <paramref name="location"/>: itself, or a copy of the blob it names; null when it cannot be read.</summary>
    private static async Task<string?> FetchAsync(string location, string? storage, string directory, List<string> problems, CancellationToken cancellationToken)
    {
        try
        {
            return await ArchivedReport.FetchAsync(location, storage, directory, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or NotARunReportException)
        {
            problems.Add(ex.Message);
            return null;
        }
    }

    private static void Write(IAnsiConsole console, RunReport current, VerdictReport verdict)
    {
        console.MarkupLine(Markup.Escape($"{current.Environment}/{current.Target} run {current.RunId} against baseline {verdict.BaselineRunId}"));
        if (verdict.Metrics.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded)
                .Title(Markup.Escape($"Change with its {verdict.Confidence:0%} joint interval; regressed or improved beyond {verdict.Threshold:0.#%}"));
            foreach (var column in (string[])["Metric", "Baseline", "Current", "Change", "Interval", "Result"])
            {
                table.AddColumn(new TableColumn(column).NoWrap());
            }

            foreach (var m in verdict.Metrics)
            {
                var result = m.Result switch
                {
                    "regressed" => "[red]regressed[/]",
                    "improved" => "[green]improved[/]",
                    _ => "unchanged",
                };
                table.AddRow(m.Name, F(m.Baseline), F(m.Current), Percent(m.Change), $"{Percent(m.Low)} .. {Percent(m.High)}", result);
            }

            console.Write(table);
        }

        var colour = verdict.Result switch { "regressed" or "incomparable" => "red", "improved" => "green", _ => "default" };
        console.MarkupLine($"[{colour}]{Markup.Escape($"Verdict: {verdict.Result}: {verdict.Reason}")}[/]");
    }

    private static async Task<(RunReport Report, string Records)?> LoadAsync(string? path, List<string> problems, CancellationToken cancellationToken)
    {
        if (path is null)
        {
            return null;
        }

        RunReport? report;
        try
        {
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                report = await JsonSerializer.DeserializeAsync(stream, ReportJsonContext.Default.RunReport, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            problems.Add($"{path}: cannot read the report: {ex.Message}");
            return null;
        }

        if (report is null)
        {
            problems.Add($"{path}: not a run report");
            return null;
        }

        var records = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, report.RequestsFile ?? Path.GetFileNameWithoutExtension(path) + ReportLayout.RequestsSuffix);
        if (!File.Exists(records))
        {
            problems.Add($"{path}: its per-request records file {records} is missing (a verdict compares the requests of both runs)");
            return null;
        }

        return (report, records);
    }

    private static double Threshold(RunReport report) =>
        report.Config.Settings.TryGetValue("regressionThreshold", out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0.05;

    private static Func<CancellationToken, Task<Stream>> Open(string path) => _ => Task.FromResult<Stream>(File.OpenRead(path));

    private static string F(double value) => value.ToString(value >= 100 ? "0.0" : "0.###", CultureInfo.InvariantCulture);

    private static string Percent(double value) => value.ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture);
}
