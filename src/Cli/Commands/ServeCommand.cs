using System.CommandLine;
using GuidellmFunctions.Cli.Output;
using GuidellmFunctions.Cli.Serving;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
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

/// <summary><c>serve</c>: pull mode. Runs every target on its interval forever and exposes the series on <c>/metrics</c>.</summary>
internal static class ServeCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var config = new Option<string>("--config", "-c") { Description = "YAML config file", Required = true };
        var environment = new Option<string?>("--environment", "-e") { Description = "Environment to run (all when absent)" };
        var host = new Option<string>("--host") { Description = "Address to bind /metrics to", DefaultValueFactory = _ => "0.0.0.0" };
        var port = new Option<int?>("--port") { Description = "Port of /metrics (default: prometheus.port of the config, 9090)" };
        var output = CommonOptions.Output();
        var logLevel = CommonOptions.LogLevel();
        var command = new Command("serve", "Run every target on its interval and expose the results on /metrics (in-cluster pull mode)");
        foreach (var option in (Option[])[config, environment, host, port, output, logLevel])
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            RunnerConfig loaded;
            IReadOnlyList<ResolvedTarget> targets;
            try
            {
                loaded = await ConfigFile.LoadAsync(parse.GetValue(config)!, cancellationToken).ConfigureAwait(false);
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
            var app = BuildApp(registry, parse.GetValue(host)!, parse.GetValue(port) ?? loaded.PrometheusPort);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            console.MarkupLine(Markup.Escape($"Serving metrics at {address.TrimEnd('/')}/metrics for {targets.Count} target(s)"));
            metrics.Up.Set(1);
            try
            {
                var services = EngineServices.Create(loggers, datasets: StorageConnection.Datasets());
                await using var disposeServices = services.ConfigureAwait(false);
                var service = services.GetRequiredService<LoadTestService>();
                var time = services.GetRequiredService<TimeProvider>();
                await Task.WhenAll(targets.Select(t => LoopAsync(t, loaded, service, time, parse.GetValue(output)!, metrics, console, cancellationToken))).ConfigureAwait(false);
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

    private static WebApplication BuildApp(CollectorRegistry registry, string host, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        var app = builder.Build();
        app.MapMetrics("/metrics", registry);
        app.MapGet("/health", () => Results.Ok());
        return app;
    }

    private static async Task LoopAsync(ResolvedTarget target, RunnerConfig config, LoadTestService service, TimeProvider time, string output, PullMetrics metrics, IAnsiConsole console, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var runId = RunIds.New(time);
            var outcome = await service.RunAsync(config, [target], runId, RunTrigger.Cli, output, observersFor: t => [metrics.For(t)], cancellationToken: cancellationToken).ConfigureAwait(false);
            var report = outcome.Results[0].Report;
            console.MarkupLine(Markup.Escape($"{target.Environment}/{target.Target.Name} run {runId}: {ReportNames.Of(report.Status)}{(report.StatusReason is { } why ? $" ({why})" : string.Empty)}"));
            try
            {
                await Task.Delay(target.Settings.Interval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
