using System.CommandLine;
using System.Globalization;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary><c>run</c>: load-tests the targets of an environment from a config file.</summary>
internal static class RunCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var config = new Option<string?>("--config", "-c") { Description = "YAML config file (or --url for a run without one)" };
        var environment = new Option<string?>("--environment", "-e") { Description = $"Environment to run (with --config); with --url the environment label (default {AdHocRun.Environment})" };
        var url = new Option<string?>("--url") { Description = "Run against this OpenAI-compatible URL without a config file (base, /v1 or /chat/completions URL)" };
        var model = new Option<string?>("--model", "-m") { Description = "Model to send with --url (default: the only model the server lists)" };
        var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "With --url: the environment variable holding the API key (sent as a Bearer token; never printed)" };
        var targets = new Option<string[]>("--target", "-t") { Description = "Target to run (repeatable; all when absent)", AllowMultipleArgumentsPerToken = false };
        var output = CommonOptions.Output();
        var remoteWrite = new Option<string[]>("--remote-write") { Description = "Push results to this remote_write URL too (repeatable; adds to the config's remote_write:)" };
        var runId = new Option<string?>("--run-id") { Description = "Run id (default: a new one); targets already saved under it are not run again (a retried Kubernetes Job passes its job name)" };
        var logLevel = CommonOptions.LogLevel();
        var listTargets = new Option<bool>("--list-targets") { Description = "Print the targets that would run (discovered ones included) and exit" };
        var command = new Command("run", "Run a streaming load burst against the targets of an environment");
        foreach (var option in (Option[])[config, environment, url, model, apiKeyEnv, targets, output, .. SettingFlags(), remoteWrite, runId, logLevel, listTargets])
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var overrides = Overrides(parse);
                RunnerConfig? loaded = null;
                IReadOnlyList<ResolvedTarget> resolved;
                if (parse.GetValue(url) is { } adHocUrl)
                {
                    var adHoc = new AdHocRun(adHocUrl, parse.GetValue(model), parse.GetValue(apiKeyEnv), parse.GetValue(environment), parse.GetValue(targets) ?? [], parse.GetValue(config) is not null);
                    resolved = adHoc.Resolve(overrides, Environment.GetEnvironmentVariable);
                }
                else
                {
                    AdHocRun.RequireConfig(parse.GetValue(config), parse.GetValue(environment), parse.GetValue(model), parse.GetValue(apiKeyEnv));
                    loaded = await ConfigFile.LoadAsync(parse.GetValue(config)!, cancellationToken).ConfigureAwait(false);
                    resolved = loaded.ResolveTargets(parse.GetValue(environment)!, parse.GetValue(targets) ?? [], overrides);
                    ConfigOutput.WriteWarnings(console, loaded);
                }

                if (parse.GetValue(listTargets))
                {
                    ConfigOutput.WriteTargets(console, resolved);
                    return ExitCodes.Success;
                }

                var extra = ParseReceivers(parse.GetValue(remoteWrite) ?? []).ToList();
                if (parse.GetValue(runId) is { } id && !RunIds.IsValid(id))
                {
                    throw new ConfigValidationException([new ConfigError("command line", 0, 0, "--run-id", $"'{id}' is not a run id: 1-128 letters, digits, '-', '_' or '.'")]);
                }

                return await RunSession.ExecuteAsync(resolved, parse.GetValue(output)!, console, parse.GetValue(logLevel), cancellationToken, loaded, extra, parse.GetValue(runId)).ConfigureAwait(false);
            }
            catch (ConfigValidationException ex)
            {
                ConfigOutput.WriteErrors(console, ex);
                return ExitCodes.InvalidInput;
            }
        });
        return command;
    }

    private static IEnumerable<RemoteWriteConfig> ParseReceivers(string[] urls)
    {
        var errors = new List<ConfigError>();
        var receivers = new List<RemoteWriteConfig>();
        foreach (var url in urls)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                receivers.Add(new RemoteWriteConfig { Url = uri });
            }
            else
            {
                errors.Add(new ConfigError("command line", 0, 0, "--remote-write", $"'{url}' is not an absolute http(s) URL"));
            }
        }

        return errors.Count > 0 ? throw new ConfigValidationException(errors) : receivers;
    }

    /// <summary>One flag per setting of the table that may be given on the command line.</summary>
    private static IEnumerable<Option> SettingFlags() =>
        SettingsTable.In(SettingChannels.Cli).Select(s => new Option<string?>(s.Flag!) { Description = $"{s.Doc.Replace("`", string.Empty, StringComparison.Ordinal)} ({s.Values}; default {s.DefaultText})" });

    /// <summary>The settings given as flags of a parsed <c>run</c>, merged into one patch; every invalid flag is reported at once.</summary>
    internal static BenchmarkSettingsPatch Overrides(ParseResult parse)
    {
        var patch = new BenchmarkSettingsPatch();
        var errors = new List<ConfigError>();
        foreach (var setting in SettingsTable.In(SettingChannels.Cli))
        {
            if (parse.GetValue<string?>(setting.Flag!) is not { } value)
            {
                continue;
            }

            var single = ConfigLoader.ParseSetting(setting, value, out var error);
            if (single is null)
            {
                errors.Add(new ConfigError("command line", 0, 0, setting.Flag!, error!));
                continue;
            }

            patch = patch.Merge(single);
        }

        return errors.Count > 0 ? throw new ConfigValidationException(errors) : patch;
    }

    internal static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
