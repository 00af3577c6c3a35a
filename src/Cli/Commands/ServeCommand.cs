using System.CommandLine;
using GuidellmFunctions.Cli.Output;
using GuidellmFunctions.Cli.Serving;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Discovery;
using GuidellmFunctions.Engine.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>
/// <c>serve</c>: pull mode. Runs every target on its interval until stopped, exposes the series on <c>/metrics</c>, and
/// the Go runner's control API under <c>/api</c> (<see cref="ControlApi"/>) on the same port (and on <c>--api-port</c>
/// when given).
/// </summary>
internal static class ServeCommand
{
    /// <summary>The variable holding the control API's key when <c>--api-key-env</c> names none.</summary>
    public const string DefaultApiKeyVariable = "GUIDELLM_API_KEY";

    public static Command Create(IAnsiConsole console)
    {
        var config = new Option<string>("--config", "-c") { Description = "YAML config file", Required = true };
        var environment = new Option<string?>("--environment", "-e") { Description = "Environment to run (all when absent)" };
        var host = new Option<string>("--host") { Description = "Address to bind /metrics and /api to", DefaultValueFactory = _ => "0.0.0.0" };
        var port = new Option<int?>("--port") { Description = "Port of /metrics and /api (default: prometheus.port of the config, 9090)" };
        var apiPort = new Option<int?>("--api-port") { Description = "Also serve /api (and /metrics) on this port (the Go runner's API port was 8080)" };
        var apiKeyEnv = new Option<string>("--api-key-env") { Description = "Variable holding the control API key that POST and DELETE routes need (from a secret)", DefaultValueFactory = _ => DefaultApiKeyVariable };
        var paused = new Option<bool>("--paused") { Description = "Start with the schedule paused (resume with POST /api/scheduler/resume)" };
        var output = CommonOptions.Output();
        var logLevel = CommonOptions.LogLevel();
        var command = new Command("serve", "Run every target on its interval, expose the results on /metrics and a control API on /api (in-cluster pull mode)");
        foreach (var option in (Option[])[config, environment, host, port, apiPort, apiKeyEnv, paused, output, logLevel])
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            RunnerConfig raw;
            RunnerConfig loaded;
            IReadOnlyList<ResolvedTarget> targets;
            try
            {
                raw = new ConfigLoader().LoadFile(parse.GetValue(config)!);
                loaded = await new ModelDiscovery().ApplyAsync(raw, cancellationToken).ConfigureAwait(false);
                targets = parse.GetValue(environment) is { } env ? loaded.ResolveTargets(env) : loaded.ResolveAll();
                ConfigOutput.WriteWarnings(console, loaded);
            }
            catch (ConfigValidationException ex)
            {
                ConfigOutput.WriteErrors(console, ex);
                return ExitCodes.InvalidInput;
            }

            using var loggers = ConsoleLog.Create(parse.GetValue(logLevel));
            var registry = Metrics.NewCustomRegistry();
            var metrics = new PullMetrics(registry, loaded.Buckets);
            var services = EngineServices.Create(loggers, datasets: StorageConnection.Datasets());
            await using var disposeServices = services.ConfigureAwait(false);
            var discovery = services.GetRequiredService<ModelDiscovery>();
            Func<CancellationToken, Task<RunnerConfig>>? rediscover = raw.Discovery is { Enabled: true } ? ct => discovery.ApplyAsync(raw, ct) : null;
            var scheduler = new TargetScheduler(loaded, services.GetRequiredService<LoadTestService>(), services.GetRequiredService<TimeProvider>(), parse.GetValue(output)!, metrics, loggers.CreateLogger("GuidellmFunctions.Cli.Serve"), line => console.MarkupLine(Markup.Escape(line)), rediscover, parse.GetValue(environment));
            await using var disposeScheduler = scheduler.ConfigureAwait(false);
            var keyVariable = parse.GetValue(apiKeyEnv)!;
            var key = new ApiKeyCheck(Environment.GetEnvironmentVariable(keyVariable));
            var app = BuildApp(registry, parse.GetValue(host)!, parse.GetValue(port) ?? loaded.PrometheusPort, parse.GetValue(apiPort), scheduler, key);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            var address = addresses.First().TrimEnd('/');
            console.MarkupLine(Markup.Escape($"Serving metrics at {address}/metrics for {targets.Count} target(s)"));
            console.MarkupLine(Markup.Escape($"Control API at {string.Join(", ", addresses.Select(a => a.TrimEnd('/') + "/api"))}; " + (key.Configured
                ? $"POST and DELETE need the key in {keyVariable}"
                : $"read-only: {keyVariable} is not set, so POST and DELETE are refused")));
            metrics.Up.Set(1);
            try
            {
                scheduler.SetPaused(parse.GetValue(paused));
                foreach (var target in targets)
                {
                    scheduler.Add(target, start: true);
                }

                await scheduler.RunUntilCancelledAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                metrics.Up.Set(0);
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static WebApplication BuildApp(CollectorRegistry registry, string host, int port, int? apiPort, TargetScheduler scheduler, ApiKeyCheck key)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls([$"http://{host}:{port}", .. apiPort is { } extra ? [$"http://{host}:{extra}"] : Array.Empty<string>()]);
        var app = builder.Build();
        app.MapMetrics("/metrics", registry);
        app.MapGet("/health", () => Results.Ok());
        ControlApi.Map(app, scheduler, key, typeof(ServeCommand).Assembly.GetName().Version?.ToString() ?? "unknown");
        return app;
    }
}
