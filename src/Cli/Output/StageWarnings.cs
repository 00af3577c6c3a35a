using GuidellmFunctions.Engine.Load;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Output;

/// <summary>
/// Lines under the results table for stages whose figures need a caveat: the runner itself may have limited what it
/// measured (<c>validity</c>), or the server's own figures are missing or carry a note (<c>server</c>).
/// </summary>
internal static class StageWarnings
{
    public static void Write(IAnsiConsole console, IReadOnlyList<TargetRunResult> results)
    {
        foreach (var report in results.Select(r => r.Report))
        {
            foreach (var b in report.Benchmarks)
            {
                var stage = Markup.Escape($"{report.Environment}/{report.Target} stage {b.Index} ({b.Profile.Kind})");
                if (b.Validity is { Valid: false } validity)
                {
                    console.MarkupLine($"[yellow]warning[/]: {stage} is not valid, the runner may have limited it: {Markup.Escape(string.Join("; ", validity.Reasons))}");
                }

                if (b.Server is { Available: false } server)
                {
                    console.MarkupLine($"[grey]note[/]: {stage} has no server figures: {Markup.Escape(server.Error ?? "the server's metrics could not be read")}");
                }

                foreach (var note in b.Server?.Notes ?? [])
                {
                    console.MarkupLine($"[yellow]warning[/]: {stage} server figures: {Markup.Escape(note)}");
                }
            }
        }
    }
}
