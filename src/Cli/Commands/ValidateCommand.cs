using System.CommandLine;
using GuidellmFunctions.Engine.Configuration;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary><c>validate</c>: loads a config and checks every target of every environment.</summary>
internal static class ValidateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var config = new Option<string>("--config", "-c") { Description = "YAML config file", Required = true };
        var command = new Command("validate", "Check a config file; lists every problem with file, line and key");
        command.Options.Add(config);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(config)!;
            try
            {
                var loaded = await ConfigFile.LoadAsync(path, cancellationToken).ConfigureAwait(false);
                var targets = loaded.ResolveAll();
                CheckDatasets(path, loaded, targets);
                ConfigOutput.WriteWarnings(console, loaded);
                console.MarkupLine($"[green]OK[/]: {Markup.Escape(path)}: {loaded.Environments.Count} environment(s), {targets.Count} target(s)");
                foreach (var t in targets)
                {
                    console.MarkupLine(Markup.Escape($"  {t.Environment}/{t.Target.Name}: {ProfileNames.Format(t.Settings.Profile)} {EffectiveConfig(t)} -> {Engine.Reporting.EffectiveConfig.RedactUrl(t.Endpoint)}{ConfigOutput.Discovered(t)}"));
                    if (NotDefault(t.Settings) is { Length: > 0 } changed)
                    {
                        console.MarkupLine(Markup.Escape($"    set: {changed}"));
                    }
                }

                return ExitCodes.Success;
            }
            catch (ConfigValidationException ex)
            {
                ConfigOutput.WriteErrors(console, ex);
                return ExitCodes.InvalidInput;
            }
        });
        return command;
    }

    /// <summary>Opens every dataset the config names as a run would: an unreadable file or blob, or a malformed one, is a problem naming it.</summary>
    private static void CheckDatasets(string path, RunnerConfig config, IReadOnlyList<ResolvedTarget> targets)
    {
        var opener = StorageConnection.Datasets();
        var problems = config.Datasets.Concat(targets.Select(t => t.Settings.Get(SettingsTable.Dataset)).OfType<DatasetSpec>()).Distinct()
            .Select(d => (d, Problem: opener.Check(d))).Where(x => x.Problem is not null)
            .Select(x => new ConfigError(path, 0, 0, x.d.Name is { } name ? $"dataset {name}" : "dataset", x.Problem!)).ToList();
        if (problems.Count > 0)
        {
            throw new ConfigValidationException(problems);
        }
    }

    private static string EffectiveConfig(ResolvedTarget t)
    {
        var s = t.Settings;
        var limit = s.MaxDuration is { } d ? $"{d.TotalSeconds}s" : $"{s.MaxRequests} requests";
        return $"rate {RunCommand.Invariant(s.Rate)}, {limit}, {s.Data}";
    }

    /// <summary>Every setting whose effective value is not its built-in default, as <c>key: value</c>.</summary>
    private static string NotDefault(BenchmarkSettings settings)
    {
        var defaults = new BenchmarkSettings();
        return string.Join(", ", SettingsTable.All
            .Where(s => s.FoldsInto is null && s.Describe(settings) != s.Describe(defaults))
            .Select(s => $"{s.Key}: {s.Describe(settings)}"));
    }
}
