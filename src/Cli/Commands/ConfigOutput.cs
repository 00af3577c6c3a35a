using GuidellmFunctions.Engine.Configuration;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>Prints config problems and warnings.</summary>
internal static class ConfigOutput
{
    public static void WriteErrors(IAnsiConsole console, ConfigValidationException ex)
    {
        var noun = ex.Errors.Count == 1 ? "problem" : "problems";
        console.MarkupLine($"[red]Configuration has {ex.Errors.Count} {noun}:[/]");
        foreach (var error in ex.Errors)
        {
            console.MarkupLine("  " + Markup.Escape(error.ToString()));
        }
    }

    public static void WriteWarnings(IAnsiConsole console, RunnerConfig config)
    {
        foreach (var warning in config.Warnings)
        {
            console.MarkupLine("[yellow]warning:[/] " + Markup.Escape(warning.ToString()));
        }
    }
}
