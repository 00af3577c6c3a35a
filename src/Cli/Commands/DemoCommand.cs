using System.CommandLine;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Simulator;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary><c>demo</c>: starts the simulator in-process and runs a short streaming burst against it; zero setup.</summary>
internal static class DemoCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var output = CommonOptions.Output();
        var seconds = new Option<double>("--max-seconds") { Description = "Burst length", DefaultValueFactory = _ => 10 };
        var rate = new Option<double>("--rate") { Description = "Requests per second (constant profile)", DefaultValueFactory = _ => 8 };
        var logLevel = CommonOptions.LogLevel();
        var command = new Command("demo", "Run a short streaming burst against the built-in simulator (TTFT 100 ms, ITL 10 ms)");
        foreach (var option in (Option[])[output, seconds, rate, logLevel])
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var server = await SimulatorServer.StartAsync(new SimulatorOptions { Port = 0, TtftMs = 100, ItlMs = 10, MaxBatch = 64 }, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                console.MarkupLine($"Simulator listening at [blue]{server.V1}[/]");
                var config = new ConfigLoader(_ => null).LoadText(
                    $"""
                    environments:
                      demo:
                        targets:
                          - name: simulated-llama
                            url: {server.V1}
                            model: {server.Options.Model}
                    defaults:
                      profile: constant
                      rate: {RunCommand.Invariant(parse.GetValue(rate))}
                      max_seconds: {RunCommand.Invariant(parse.GetValue(seconds))}
                      data_spec: "prompt_tokens=128,output_tokens=64"
                    """,
                    "demo");
                var targets = config.ResolveTargets("demo");
                return await RunSession.ExecuteAsync(targets, parse.GetValue(output)!, console, parse.GetValue(logLevel), cancellationToken).ConfigureAwait(false);
            }
        });
        return command;
    }
}
