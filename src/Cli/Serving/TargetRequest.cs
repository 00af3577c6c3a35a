using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Cli.Serving;

/// <summary>
/// The body of <c>POST /api/targets</c>: the Go runner's fields (name, url, model, environment, api_key, profile, rate,
/// max_seconds, request_type) and every other target key of the config, checked by the config's own reader and rules,
/// every problem at once. <c>${VAR}</c> is never replaced from this process's environment: a caller must not be able to
/// send its secrets to a URL of the caller's choosing.
/// </summary>
internal static partial class TargetRequest
{
    /// <summary>The environment of a target added without one, as the Go runner named it.</summary>
    public const string DefaultEnvironment = "dynamic";

    /// <summary>The target the body describes, resolved against <paramref name="config"/>'s defaults; null with every problem otherwise.</summary>
    public static ResolvedTarget? Parse(string body, RunnerConfig config, out IReadOnlyList<string> problems)
    {
        JsonObject target;
        var environment = DefaultEnvironment;
        try
        {
            if (JsonNode.Parse(body) is not JsonObject parsed)
            {
                problems = ["the body must be a JSON object with name, url and model"];
                return null;
            }

            target = parsed;
            if (target["environment"] is { } env)
            {
                if (env.GetValueKind() != JsonValueKind.String || env.GetValue<string>() is not { Length: > 0 } name)
                {
                    problems = ["environment: must be a non-empty string"];
                    return null;
                }

                environment = name;
                target.Remove("environment");
            }
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            // A repeated key is reported only when the object is first read, as an ArgumentException.
            problems = [$"the body is not valid JSON: {ex.Message}"];
            return null;
        }

        var yaml = new JsonObject { ["environments"] = new JsonObject { [environment] = new JsonObject { ["targets"] = new JsonArray(target) } } }.ToJsonString();
        try
        {
            var loaded = new ConfigLoader(_ => null).LoadText(yaml, "request body");
            var added = loaded.Environments.Single().Targets.Single();
            var resolved = (config with { Environments = [new EnvironmentConfig(environment, [added])] }).ResolveTargets(environment).Single();
            problems = [];
            return resolved;
        }
        catch (ConfigValidationException ex)
        {
            problems = [.. ex.Errors.Select(e => $"{KeyOf(e)}: {e.Message}")];
            return null;
        }
    }

    private static string KeyOf(ConfigError error) => TargetKey().Replace(error.Key, string.Empty) is { Length: > 0 } key ? key : "body";

    [GeneratedRegex(@"^environments\.[^.]*\.targets(\[0\])?( \([^)]*\))?\.?", RegexOptions.CultureInvariant)]
    private static partial Regex TargetKey();
}
