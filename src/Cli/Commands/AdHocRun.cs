using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>
/// <c>run --url URL [--model M] [--api-key-env VAR]</c>: one target built from flags instead of a config file, with the
/// settings table's defaults and the same setting flags as a configured run. A model left out is found by asking the
/// server (<see cref="Unknown"/> until then).
/// </summary>
internal sealed record AdHocRun(string Url, string? Model, string? ApiKeyVariable, string? EnvironmentName, IReadOnlyList<string> TargetNames, bool WithConfig)
{
    /// <summary>The environment label of an ad-hoc run when <c>--environment</c> is not given.</summary>
    public const string Environment = "adhoc";

    /// <summary>The model of a target whose model the server is still to name.</summary>
    public const string Unknown = "";

    private const string Source = "command line";

    /// <summary>The one target this run is, with <paramref name="overrides"/> on the table's defaults; every flag problem at once.</summary>
    public IReadOnlyList<ResolvedTarget> Resolve(BenchmarkSettingsPatch overrides, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var errors = new List<ConfigError>();
        void Error(string flag, string message) => errors.Add(new ConfigError(Source, 0, 0, flag, message));
        if (WithConfig)
        {
            Error("--url", "--url runs without a config file: give either --url or --config");
        }

        Uri? uri = null;
        if (!Uri.TryCreate(Url, UriKind.Absolute, out uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            Error("--url", $"'{Url}' is not an absolute http(s) URL");
        }

        if (TargetNames.Count > 1)
        {
            Error("--target", "--url runs one target: give at most one --target (its name)");
        }

        Secret? key = null;
        if (ApiKeyVariable is { } variable)
        {
            if (environment(variable) is { Length: > 0 } value)
            {
                key = new Secret(value);
            }
            else
            {
                Error("--api-key-env", $"the environment variable '{variable}' is not set or empty");
            }
        }

        if (Model is { Length: 0 })
        {
            Error("--model", "is empty: name the model, or leave the flag out to use the only model the server lists");
        }

        if (errors.Count > 0)
        {
            throw new ConfigValidationException(errors);
        }

        var config = new RunnerConfig
        {
            Source = Source,
            Environments = [new EnvironmentConfig(EnvironmentName ?? Environment, [new TargetConfig { Name = TargetNames.FirstOrDefault() ?? NameOf(uri!), Url = uri!, Model = Model ?? Unknown, ApiKey = key }])],
        };
        return config.ResolveTargets(EnvironmentName ?? Environment, [], overrides);
    }

    /// <summary>A run without <c>--url</c> needs <c>--config</c> and <c>--environment</c>, and takes no ad-hoc flag.</summary>
    public static void RequireConfig(string? config, string? environment, string? model, string? apiKeyVariable)
    {
        var errors = new List<ConfigError>();
        if (config is null)
        {
            errors.Add(new ConfigError(Source, 0, 0, "--config", "missing: give --config FILE --environment ENV, or --url URL for a run without a config file"));
        }

        if (environment is null && config is not null)
        {
            errors.Add(new ConfigError(Source, 0, 0, "--environment", "missing: name the environment of the config to run"));
        }

        foreach (var (flag, value) in (ReadOnlySpan<(string, string?)>)[("--model", model), ("--api-key-env", apiKeyVariable)])
        {
            if (value is not null)
            {
                errors.Add(new ConfigError(Source, 0, 0, flag, "only with --url: a configured target takes its model and key from the config"));
            }
        }

        if (errors.Count > 0)
        {
            throw new ConfigValidationException(errors);
        }
    }

    /// <summary>The target label of a URL: its host, and its port when not the scheme's default (<c>127.0.0.1-8000</c>).</summary>
    internal static string NameOf(Uri url) =>
        new string([.. (url.IsDefaultPort ? url.Host : $"{url.Host}-{url.Port}").Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-')]).Trim('-');
}
