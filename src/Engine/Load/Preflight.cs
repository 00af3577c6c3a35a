using GuidellmFunctions.Engine.Client;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Judges the pre-flight probe of a target's model list: whether the burst can succeed at all (refused credentials, a
/// gateway whose upstream is down, a model the server does not list). A target that cannot be reached is left to the
/// stage's <see cref="TargetRefusesBreaker"/>, whose report holds the refused requests and their message.
/// </summary>
internal static class Preflight
{
    /// <summary>Why the target cannot be run (the run's status reason), or null to go ahead.</summary>
    /// <param name="probe">What the probe found.</param>
    /// <param name="model">The configured model.</param>
    /// <param name="checkModel">The <c>check_model</c> setting.</param>
    public static string? Check(ModelsProbe probe, string model, bool checkModel)
    {
        ArgumentNullException.ThrowIfNull(probe);
        if (probe.Status is 401 or 403)
        {
            return $"pre-flight: the server refused the credentials (HTTP {probe.Status}): {probe.ServerMessage}";
        }

        // Nothing of the run has been sent yet, so a gateway that cannot reach its upstream is not buckling under our load.
        if (probe.Status is 502)
        {
            return $"pre-flight: a gateway in front of the server cannot reach it (HTTP 502): {probe.ServerMessage}";
        }

        if (checkModel && probe.Models is { Count: > 0 } served && !served.Contains(model, StringComparer.Ordinal))
        {
            return $"pre-flight: the server does not serve the model `{model}`; it lists {string.Join(", ", served.Take(20).Select(m => $"`{m}`"))}"
                + (served.Count > 20 ? $" and {served.Count - 20} more" : string.Empty)
                + " (check_model: false skips this check)";
        }

        return null;
    }

    /// <summary>
    /// The one model a server serves, for a run that names none; otherwise null and, in <paramref name="problem"/>, why
    /// not (it lists several, none, or did not answer), naming <paramref name="modelsUrl"/>.
    /// </summary>
    public static string? SoleModel(ModelsProbe probe, string modelsUrl, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(probe);
        (var model, problem) = probe switch
        {
            { Models: [var only] } => (only, (string?)null),
            { Models: { Count: > 1 } served } => (null, $"{modelsUrl} lists {served.Count} models ({string.Join(", ", served.Take(20).Select(m => $"`{m}`"))}): name one"),
            { Status: null } => (null, $"{modelsUrl} did not answer, so the model cannot be found out: name it"),
            { Status: >= 200 and < 300 } => (null, $"{modelsUrl} lists no model in OpenAI's form: name it"),
            _ => (null, $"{modelsUrl} answered HTTP {probe.Status}{(probe.ServerMessage is { Length: > 0 } m ? $": {m}" : string.Empty)}"),
        };
        return model;
    }
}
