using System.Net;
using System.Text.Json.Nodes;
using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Runs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Options;

namespace GuidellmFunctions.Functions.Triggers;

/// <summary>
/// The control verbs of <c>serve</c> for the Function App, as HTTP functions with function-level keys (or Entra ID in
/// front): list the targets, trigger a run (the message <c>enqueue</c> would send, so the queue trigger runs it), the
/// latest archived results, and pause and resume of the nightly timer (a flag in the archive the timer reads). The
/// environment is <c>GUIDELLM_ENVIRONMENT</c> unless <c>?environment=</c> names another. Errors are
/// <c>{"error": ..., "message"?: ...}</c>, as <c>serve</c> answers them.
/// </summary>
public sealed class ControlFunctions(ConfigSource source, RunQueue queue, IOptions<GuidellmEngineOptions> options)
{
    /// <summary><c>GET /api/targets</c>.</summary>
    [Function("ListTargets")]
    public async Task<HttpResponseData> ListTargetsAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = "targets")] HttpRequestData request) =>
        await AnswerAsync(request, await ListAsync(Environment(request), request.FunctionContext.CancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary><c>POST /api/targets/{name}/run</c>.</summary>
    [Function("TriggerRun")]
    public async Task<HttpResponseData> TriggerRunAsync([HttpTrigger(AuthorizationLevel.Function, "post", Route = "targets/{name}/run")] HttpRequestData request, string name) =>
        await AnswerAsync(request, await TriggerAsync(Environment(request), name, request.FunctionContext.CancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary><c>GET /api/targets/{name}/results</c>.</summary>
    [Function("TargetResults")]
    public async Task<HttpResponseData> TargetResultsAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = "targets/{name}/results")] HttpRequestData request, string name) =>
        await AnswerAsync(request, await ResultsAsync(Environment(request), name, request.FunctionContext.CancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary><c>POST /api/schedule/pause</c> and <c>/api/schedule/resume</c>.</summary>
    [Function("PauseSchedule")]
    public async Task<HttpResponseData> PauseScheduleAsync([HttpTrigger(AuthorizationLevel.Function, "post", Route = "schedule/{action:regex(^(pause|resume)$)}")] HttpRequestData request, string action) =>
        await AnswerAsync(request, await SetPausedAsync(string.Equals(action, "pause", StringComparison.Ordinal), request.FunctionContext.CancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    internal async Task<(HttpStatusCode Status, JsonObject Body)> ListAsync(string? environment, CancellationToken cancellationToken)
    {
        var config = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (Resolve(config, environment, null, out var error) is not { } targets)
        {
            return error;
        }

        var list = new JsonArray();
        foreach (var t in targets)
        {
            list.Add(new JsonObject
            {
                ["name"] = t.Target.Name,
                ["model"] = t.Target.Model,
                ["url"] = EffectiveConfig.RedactUrl(t.Target.Url),
                ["environment"] = t.Environment,
                ["profile"] = ProfileNames.Format(t.Settings.Profile),
                ["rate"] = t.Settings.Rate,
                ["discovered_from"] = t.Target.DiscoveredFrom,
            });
        }

        return (HttpStatusCode.OK, new JsonObject { ["targets"] = list, ["paused"] = config.Archive is { } archive && await new ArchiveControl(archive).IsPausedAsync(cancellationToken).ConfigureAwait(false) });
    }

    internal async Task<(HttpStatusCode Status, JsonObject Body)> TriggerAsync(string? environment, string name, CancellationToken cancellationToken)
    {
        var config = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (Resolve(config, environment, name, out var error) is not { } targets)
        {
            return error;
        }

        if (config.Archive is { } archive && await new ArchiveControl(archive).IsPausedAsync(cancellationToken).ConfigureAwait(false))
        {
            return Error(HttpStatusCode.Conflict, "the schedule is paused", "POST /api/schedule/resume first");
        }

        var message = RunRequestParser.Compose(null, targets[0].Environment, [name], [], "http");
        var id = await queue.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return (HttpStatusCode.Accepted, new JsonObject { ["name"] = name, ["environment"] = targets[0].Environment, ["status"] = "queued", ["message_id"] = id, ["queue"] = queue.Name });
    }

    internal async Task<(HttpStatusCode Status, JsonObject Body)> ResultsAsync(string? environment, string name, CancellationToken cancellationToken)
    {
        var config = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (Resolve(config, environment, name, out var error) is not { } targets)
        {
            return error;
        }

        if (config.Archive is not { } archive)
        {
            return Error(HttpStatusCode.Conflict, "no archive", "the config has no archive: section to read results from");
        }

        var report = await new ArchiveControl(archive).LatestReportAsync(targets[0].Environment, name, cancellationToken).ConfigureAwait(false);
        return report is null
            ? (HttpStatusCode.OK, new JsonObject { ["name"] = name, ["results"] = null, ["message"] = "no results available yet" })
            : (HttpStatusCode.OK, new JsonObject { ["name"] = name, ["results"] = ReportResults.From(report) });
    }

    internal async Task<(HttpStatusCode Status, JsonObject Body)> SetPausedAsync(bool paused, CancellationToken cancellationToken)
    {
        var config = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (config.Archive is not { } archive)
        {
            return Error(HttpStatusCode.Conflict, "no archive", "the pause flag lives in the archive: the config has no archive: section");
        }

        await new ArchiveControl(archive).SetPausedAsync(paused, "http", cancellationToken).ConfigureAwait(false);
        return (HttpStatusCode.OK, new JsonObject { ["paused"] = paused });
    }

    private IReadOnlyList<ResolvedTarget>? Resolve(RunnerConfig config, string? environment, string? name, out (HttpStatusCode, JsonObject) error)
    {
        error = default;
        environment ??= options.Value.Environment;
        if (environment is null || config.FindEnvironment(environment) is null)
        {
            error = Error(HttpStatusCode.NotFound, "environment not found", $"known: {string.Join(", ", config.Environments.Select(e => e.Name))}");
            return null;
        }

        if (name is not null && config.FindEnvironment(environment)!.Targets.All(t => !string.Equals(t.Name, name, StringComparison.Ordinal)))
        {
            error = Error(HttpStatusCode.NotFound, "target not found");
            return null;
        }

        return config.ResolveTargets(environment, name is null ? null : [name]);
    }

    private static (HttpStatusCode, JsonObject) Error(HttpStatusCode status, string error, string? message = null)
    {
        var body = new JsonObject { ["error"] = error };
        if (message is not null)
        {
            body["message"] = message;
        }

        return (status, body);
    }

    private static string? Environment(HttpRequestData request) =>
        System.Web.HttpUtility.ParseQueryString(request.Url.Query)["environment"] is { Length: > 0 } env ? env : null;

    private static async Task<HttpResponseData> AnswerAsync(HttpRequestData request, (HttpStatusCode Status, JsonObject Body) answer)
    {
        var response = request.CreateResponse(answer.Status);
        response.Headers.Add("Content-Type", "application/json; charset=utf-8");
        await response.WriteStringAsync(answer.Body.ToJsonString(), cancellationToken: request.FunctionContext.CancellationToken).ConfigureAwait(false);
        return response;
    }
}
