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
        var simulator = new SimulatorSettings();
        var command = new Command("demo", "Run a short streaming burst against the built-in simulator (an 8B model on one GPU by default; the simulate verb's settings apply)");
        foreach (var option in (Option[])[output, seconds, rate, logLevel])
        {
            command.Options.Add(option);
        }

        simulator.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var errors = new List<string>();
            var options = simulator.Bind(parse, SimulatorOptions.Gpu8B with { Port = 0 }, errors);
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    console.MarkupLine($"[red]{Markup.Escape(error)}[/]");
                }

                return ExitCodes.InvalidInput;
            }

            var server = await SimulatorServer.StartAsync(options, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                console.MarkupLine($"Simulator listening at [blue]{server.V1}[/] ({Markup.Escape(SimulatorSettings.Describe(options))})");
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
