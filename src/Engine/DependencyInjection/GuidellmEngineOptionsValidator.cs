using GuidellmFunctions.Engine.Configuration;
using Microsoft.Extensions.Options;

namespace GuidellmFunctions.Engine.DependencyInjection;

/// <summary>
/// Validates the options and the config they point at, with the host's <see cref="IRunnerConfigCheck"/>s on the same
/// load, reporting every problem at once. The config is read through the container's <see cref="ConfigSource"/>.
/// </summary>
internal sealed class GuidellmEngineOptionsValidator(ConfigSourceProvider sources, IEnumerable<IRunnerConfigCheck> checks) : IValidateOptions<GuidellmEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, GuidellmEngineOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConfigPath))
        {
            failures.Add("ConfigPath (GUIDELLM_CONFIG) is required: the path or blob URL of the YAML config");
        }
        else
        {
            try
            {
                var config = sources.For(options).Load();
                config.ResolveAll();
                if (options.Environment is { Length: > 0 } env && config.FindEnvironment(env) is null)
                {
                    failures.Add($"Environment (GUIDELLM_ENVIRONMENT) '{env}' is not in the config (known: {string.Join(", ", config.Environments.Select(e => e.Name))})");
                }

                foreach (var check in checks)
                {
                    failures.AddRange(check.Check(config));
                }
            }
            catch (ConfigValidationException ex)
            {
                failures.AddRange(ex.Errors.Select(e => e.ToString()));
            }
        }

        if (string.IsNullOrWhiteSpace(options.OutputDirectory))
        {
            failures.Add("OutputDirectory must not be empty");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
