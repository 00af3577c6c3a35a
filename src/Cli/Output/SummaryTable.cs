using System.Globalization;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Output;

/// <summary>The end-of-run table: one row per target and stage, with the figures people compare night to night.</summary>
internal static class SummaryTable
{
    public static void Write(IAnsiConsole console, IReadOnlyList<TargetRunResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Results (latencies in ms: p50 / p95 / p99)");
        foreach (var column in (string[])["Target", "Status", "Stage", "OK / Fail / Inc", "Req/s", "Out tok/s", "TTFT", "ITL", "TPOT", "E2E", "Dispatch p99"])
        {
            table.AddColumn(new TableColumn(column).NoWrap());
        }

        table.AddColumn(new TableColumn("Errors (first message)"));

        foreach (var result in results)
        {
            var report = result.Report;
            var status = report.Status switch
            {
                RunStatus.Completed => "[green]completed[/]",
                RunStatus.Cancelled => "[yellow]cancelled[/]",
                _ => "[red]failed[/]",
            };
            if (report.Benchmarks.Count == 0)
            {
                table.AddRow(Markup.Escape($"{report.Environment}/{report.Target}"), status, "-", "-", "-", "-", "-", "-", "-", "-", "-", Markup.Escape(report.StatusReason ?? string.Empty));
                continue;
            }

            foreach (var b in report.Benchmarks)
            {
                var s = b.Summary;
                var label = b.Profile.Rate is { } rate ? $"{b.Profile.Kind}@{F(rate)}/s" : b.Profile.Streams is { } n && b.Profile.Kind != "synchronous" ? $"{b.Profile.Kind}x{n}" : b.Profile.Kind;
                table.AddRow(
                    Markup.Escape($"{report.Environment}/{report.Target}"),
                    status,
                    Markup.Escape(label),
                    $"{s.Requests.Successful} / {s.Requests.Failed} / {s.Requests.Incomplete}",
                    F(s.Throughput.RequestsPerSecond),
                    F(s.Throughput.OutputTokensPerSecond),
                    Triple(s.TtftMs),
                    Triple(s.ItlMs),
                    Triple(s.TpotMs),
                    Triple(s.E2eLatencyMs),
                    F(s.DispatchDelayMs.P99),
                    Markup.Escape(Errors(s)));
            }
        }

        console.Write(table);
        StageWarnings.Write(console, results);
    }

    /// <summary>Each failure reason with its count and first message, so a refusing target says why in its own words.</summary>
    private static string Errors(BenchmarkSummary s) =>
        string.Join("\n", s.Errors.Select(e => s.ErrorMessages.TryGetValue(e.Key, out var message) ? $"{e.Key}={e.Value}: {message}" : $"{e.Key}={e.Value}"));

    private static string Triple(DistributionSummary d) => d.Count == 0 ? "-" : $"{F(d.P50)} / {F(d.P95)} / {F(d.P99)}";

    private static string F(double value) => value.ToString(value >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture);
}
