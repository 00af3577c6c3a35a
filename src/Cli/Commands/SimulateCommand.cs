using System.CommandLine;
using GuidellmFunctions.Simulator;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary><c>simulate</c>: serves a simulated vLLM until Ctrl+C.</summary>
internal static class SimulateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var defaults = SimulatorOptions.Gpu8B;
        var port = new Option<int>("--port", "-p") { Description = "Port (0 picks a free one)", DefaultValueFactory = _ => 8000 };
        var host = new Option<string>("--host") { Description = "Address to bind", DefaultValueFactory = _ => defaults.Host };
        var apiKey = new Option<string?>("--api-key") { Description = "Require this Bearer key" };
        var tls = new Option<bool>("--tls") { Description = "Serve https with a self-signed certificate made at start (clients set tls_insecure_skip_verify)" };
        var settings = new SimulatorSettings();
        var command = new Command(
            "simulate",
            "Serve an OpenAI/vLLM-compatible simulator that schedules like vLLM (prefill and decode costs, continuous batching, prefix cache, KV capacity and preemption) with vLLM's /metrics and faults. "
            + "The defaults are an 8B model on one 80 GB GPU; --prefill-ms-per-token 0 --kv-cache-tokens 0 --max-batched-tokens 0 --itl-load-factor 0 make an ideal server whose TTFT is exactly --ttft-ms and whose decode steps last exactly --itl-ms");
        foreach (var option in (Option[])[port, host, apiKey, tls])
        {
            command.Options.Add(option);
        }

        settings.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var errors = new List<string>();
            var options = settings.Bind(parse, defaults with
            {
                Port = parse.GetValue(port),
                Host = parse.GetValue(host)!,
                ApiKey = parse.GetValue(apiKey),
                Tls = parse.GetValue(tls),
            }, errors);
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    console.MarkupLine($"[red]{Markup.Escape(error)}[/]");
                }

                return ExitCodes.InvalidInput;
            }

            SimulatorServer server;
            try
            {
                server = await SimulatorServer.StartAsync(options, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                // Kestrel's AddressInUseException and the like: name the address, not the stack.
                console.MarkupLine($"[red]cannot listen on {Markup.Escape($"{options.Host}:{options.Port}")}: {Markup.Escape(ex.Message)}[/]");
                return ExitCodes.InvalidInput;
            }

            await using (server.ConfigureAwait(false))
            {
                console.MarkupLine($"Simulating [bold]{Markup.Escape(options.Model)}[/] at [blue]{server.V1}[/] ({Markup.Escape(SimulatorSettings.Describe(options))}); Ctrl+C stops");
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    console.MarkupLine("Stopping");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
