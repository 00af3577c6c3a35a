using System.Globalization;
using System.Text.Json;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Runs;

namespace GuidellmFunctions.Functions.Triggers;

/// <summary>
/// Refuses, at start, a config whose runs cannot finish within host.json's <c>functionTimeout</c> with a 10% margin: a
/// run cut by the host would lose its report and its last samples.
/// </summary>
internal sealed class FunctionTimeoutCheck(string hostJsonPath) : IRunnerConfigCheck
{
    public IEnumerable<string> Check(RunnerConfig config)
    {
        if (ReadTimeout() is not { } timeout)
        {
            // No timeout means no limit.
            return [];
        }

        return RunBudget.Exceeding(config.ResolveAll(), timeout * 0.9)
            .Select(p => $"{p} (functionTimeout {timeout:g} in {hostJsonPath}, less a 10% margin): lower max_seconds/max_requests or raise functionTimeout");
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
