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

    /// <summary>One line per target: environment/name, model, where it sends, and whether discovery made it.</summary>
    public static void WriteTargets(IAnsiConsole console, IReadOnlyList<ResolvedTarget> targets)
    {
        console.MarkupLine($"{targets.Count} target(s) would run:");
        foreach (var t in targets)
        {
            console.MarkupLine(Markup.Escape($"  {t.Environment}/{t.Target.Name}: model {t.Target.Model} -> {Engine.Reporting.EffectiveConfig.RedactUrl(t.Endpoint)}{Discovered(t)}"));
        }
    }

    /// <summary>" (discovered at URL)" for a target discovery made; empty otherwise.</summary>
    public static string Discovered(ResolvedTarget target) => target.Target.DiscoveredFrom is { } from ? $" (discovered at {from})" : string.Empty;
}
