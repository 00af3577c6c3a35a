using System.Globalization;
using System.Text.Json;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Runs;
using Microsoft.Extensions.Options;

namespace GuidellmFunctions.Functions.Triggers;

/// <summary>
/// Refuses, at start, a config whose runs cannot finish within host.json's <c>functionTimeout</c> with a 10% margin: a
/// run cut by the host would lose its report and its last samples.
/// </summary>
internal sealed class FunctionTimeoutValidator(ConfigLoader loader, string hostJsonPath) : IValidateOptions<GuidellmEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, GuidellmEngineOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConfigPath) || ReadTimeout() is not { } timeout)
        {
            // No config is reported by the engine's own validator; no timeout means no limit.
            return ValidateOptionsResult.Skip;
        }

        try
        {
            var limit = timeout * 0.9;
            var config = new ConfigSource(options.ConfigPath, options.StorageConnection, loader).Load();
            var problems = RunBudget.Exceeding(config.ResolveAll(), limit);
            return problems.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(problems.Select(p => $"{p} (functionTimeout {timeout:g} in {hostJsonPath}, less a 10% margin): lower max_seconds/max_requests or raise functionTimeout"));
        }
        catch (ConfigValidationException)
        {
            // An unreadable or invalid config is reported by the engine's own validator, with every problem.
            return ValidateOptionsResult.Skip;
        }
    }

    private TimeSpan? ReadTimeout()
    {
        if (!File.Exists(hostJsonPath))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(hostJsonPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return doc.RootElement.TryGetProperty("functionTimeout", out var value) && value.ValueKind == JsonValueKind.String
            && TimeSpan.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var timeout) && timeout > TimeSpan.Zero
            ? timeout
            : null;
    }
}
