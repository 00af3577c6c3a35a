using System.Text.Json;
using System.Text.Json.Nodes;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GuidellmFunctions.Cli.Serving;

/// <summary>
/// The control API of <c>serve</c>, with the Go runner's routes and JSON shapes (its <c>internal/api</c>): health, status,
/// the targets and their start, stop and latest results; plus pause and resume of the schedule. Reads are open, as
/// <c>/metrics</c> is; every POST and DELETE needs the API key (<see cref="ApiKeyCheck"/>), and without it gets 401 with
/// nothing else said. Errors are <c>{"error": ..., "message"?: ...}</c>. A target name that is in several environments is
/// picked with <c>?environment=ENV</c>.
/// </summary>
internal static class ControlApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static void Map(IEndpointRouteBuilder app, TargetScheduler scheduler, ApiKeyCheck key, string version)
    {
        var api = app.MapGroup("/api").AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The Go runner's recovery middleware answered the same; the cause is not the caller's business.
                return Error(StatusCodes.Status500InternalServerError, "internal server error");
            }
        });
        api.MapGet("/health", () => Ok(new { Status = "ok" }));
        api.MapGet("/status", () => Ok(Status(scheduler, version)));
        api.MapGet("/targets", () => Ok(new { Targets = scheduler.Targets.Select(t => Describe(t)).ToList() }));
        api.MapGet("/targets/{name}", (string name, string? environment) => WithTarget(scheduler, name, environment, t => Ok(Describe(t))));
        api.MapGet("/targets/{name}/results", (string name, string? environment) => WithTarget(scheduler, name, environment, t => t.LastReport is { } report
            ? Ok(new JsonObject { ["name"] = t.Name, ["results"] = ReportResults.From(report) })
            : Ok(new JsonObject { ["name"] = t.Name, ["results"] = null, ["message"] = "no results available yet" })));
        api.MapGet("/scheduler", () => Ok(new { scheduler.Paused }));

        var mutating = api.MapGroup(string.Empty).AddEndpointFilter(async (context, next) =>
            key.Allows(context.HttpContext.Request) ? await next(context).ConfigureAwait(false) : Error(StatusCodes.Status401Unauthorized, "unauthorized"));
        mutating.MapPost("/targets", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
            if (TargetRequest.Parse(body, scheduler.Config, out var problems) is not { } target)
            {
                return Results.Json(new { Error = "invalid target", Message = string.Join("; ", problems), Problems = problems }, Json, statusCode: StatusCodes.Status400BadRequest);
            }

            return scheduler.Add(target, start: false)
                ? Results.Json(Describe(scheduler.Find(target.Target.Name, target.Environment)[0]), Json, statusCode: StatusCodes.Status201Created)
                : Error(StatusCodes.Status400BadRequest, $"target \"{target.Target.Name}\" already exists in environment \"{target.Environment}\"");
        });
        mutating.MapDelete("/targets/{name}", (string name, string? environment) => WithTarget(scheduler, name, environment, t =>
            Answer(scheduler.Remove(t), t, () => Ok(new { Message = "target removed", Name = t.Name }))));
        mutating.MapPost("/targets/{name}/start", (string name, string? environment) => WithTarget(scheduler, name, environment, t =>
            Answer(scheduler.Start(t), t, () => Ok(new { Name = t.Name, Status = "running", Message = "target started" }))));
        mutating.MapPost("/targets/{name}/stop", (string name, string? environment) => WithTarget(scheduler, name, environment, t =>
            Answer(scheduler.Stop(t), t, () => Ok(new { Name = t.Name, Status = "stopped", Message = "target stopped" }))));
        mutating.MapPost("/scheduler/pause", () =>
        {
            scheduler.SetPaused(true);
            return Ok(new { Paused = true, scheduler.RunsInProgress });
        });
        mutating.MapPost("/scheduler/resume", () =>
        {
            scheduler.SetPaused(false);
            return Ok(new { Paused = false, scheduler.RunsInProgress });
        });
    }

    private static IResult Ok(object value) => Results.Json(value, Json);

    private static IResult Error(int status, string error, string? message = null) => Results.Json(new { Error = error, Message = message }, Json, statusCode: status);

    private static IResult WithTarget(TargetScheduler scheduler, string name, string? environment, Func<ServedTarget, IResult> action)
    {
        var found = scheduler.Find(name, environment);
        return found.Count switch
        {
            0 => Error(StatusCodes.Status404NotFound, "target not found"),
            1 => action(found[0]),
            _ => Error(StatusCodes.Status409Conflict, "target name is in several environments", $"add ?environment= one of {string.Join(", ", found.Select(t => t.Target.Environment))}"),
        };
    }

    private static IResult Answer(TargetScheduler.Change change, ServedTarget target, Func<IResult> done) => change switch
    {
        TargetScheduler.Change.Done => done(),
        TargetScheduler.Change.NotFound => Error(StatusCodes.Status404NotFound, "target not found"),
        TargetScheduler.Change.Paused => Error(StatusCodes.Status409Conflict, "the schedule is paused", "POST /api/scheduler/resume first"),
        _ => Error(StatusCodes.Status400BadRequest, target.Running ? $"target \"{target.Name}\" is already running" : $"target \"{target.Name}\" is not running"),
    };

    private static object Status(TargetScheduler scheduler, string version)
    {
        var targets = scheduler.Targets;
        var active = targets.Count(t => t.Running);
        return new
        {
            Running = true,
            TargetsCount = targets.Count,
            ActiveCount = active,
            StoppedCount = targets.Count - active,
            UptimeSeconds = (long)scheduler.Uptime.TotalSeconds,
            Version = version,
            scheduler.Paused,
            scheduler.RunsInProgress,
            DiscoveryErrors = scheduler.Config.Warnings.Where(w => w.Key.StartsWith("discovery.", StringComparison.Ordinal)).Select(w => $"{w.Key}: {w.Message}").ToList(),
        };
    }

    /// <summary>The Go runner's TargetResponse; the URL with credentials masked.</summary>
    private static object Describe(ServedTarget t)
    {
        var s = t.Target.Settings;
        return new
        {
            t.Name,
            t.Target.Target.Model,
            Url = EffectiveConfig.RedactUrl(t.Target.Target.Url),
            t.Target.Environment,
            Status = t.Running ? "running" : "stopped",
            Profile = ProfileNames.Format(s.Profile),
            s.Rate,
            MaxSeconds = s.MaxDuration is { } d ? (int?)d.TotalSeconds : null,
            RequestType = s.RequestType == RequestType.ChatCompletions ? "chat_completions" : "text_completions",
            t.LastRunAt,
            LastResults = t.LastReport is { } report ? ReportResults.From(report) : null,
            t.Target.Target.DiscoveredFrom,
        };
    }
}
