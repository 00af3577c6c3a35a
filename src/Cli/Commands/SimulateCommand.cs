using System.CommandLine;
using GuidellmFunctions.Simulator;
using GuidellmFunctions.Simulator.Faults;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Commands;

/// <summary><c>simulate</c>: serves a simulated vLLM until Ctrl+C.</summary>
internal static class SimulateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var defaults = new SimulatorOptions();
        var port = new Option<int>("--port", "-p") { Description = "Port (0 picks a free one)", DefaultValueFactory = _ => 8000 };
        var host = new Option<string>("--host") { Description = "Address to bind", DefaultValueFactory = _ => defaults.Host };
        var model = new Option<string>("--model") { Description = "Model served", DefaultValueFactory = _ => defaults.Model };
        var ttft = new Option<double>("--ttft-ms") { Description = "Prefill time to the first token", DefaultValueFactory = _ => defaults.TtftMs };
        var itl = new Option<double>("--itl-ms") { Description = "Time per output token with one request running", DefaultValueFactory = _ => defaults.ItlMs };
        var itlLoad = new Option<double>("--itl-load-factor") { Description = "ITL grows by this fraction at a full batch", DefaultValueFactory = _ => defaults.ItlLoadFactor };
        var outputTokens = new Option<int>("--output-tokens") { Description = "Output length when the request does not force one", DefaultValueFactory = _ => defaults.OutputTokens };
        var perChunk = new Option<int>("--tokens-per-chunk") { Description = "Tokens per streamed chunk", DefaultValueFactory = _ => defaults.TokensPerChunk };
        var maxBatch = new Option<int>("--max-batch") { Description = "Requests decoded at once; the rest queue", DefaultValueFactory = _ => defaults.MaxBatch };
        var faults = new Option<string[]>("--fault") { Description = $"KIND=RATE, repeatable; kinds: {FaultRule.Kinds}" };
        var stall = new Option<double>("--stall-seconds") { Description = "Length of stall and slow_headers faults", DefaultValueFactory = _ => defaults.StallTime.TotalSeconds };
        var apiKey = new Option<string?>("--api-key") { Description = "Require this Bearer key" };
        var seed = new Option<int>("--seed") { Description = "Seed of fault draws", DefaultValueFactory = _ => defaults.Seed };
        var tls = new Option<bool>("--tls") { Description = "Serve https with a self-signed certificate made at start (clients set tls_insecure_skip_verify)" };
        var command = new Command("simulate", "Serve an OpenAI/vLLM-compatible simulator with configurable latency, batching and faults");
        foreach (var option in (Option[])[port, host, model, ttft, itl, itlLoad, outputTokens, perChunk, maxBatch, faults, stall, apiKey, seed, tls])
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            List<FaultRule> rules;
            try
            {
                rules = [.. (parse.GetValue(faults) ?? []).Select(FaultRule.Parse)];
                if (rules.Sum(r => r.Rate) > 1)
                {
                    throw new FormatException($"fault rates add up to {rules.Sum(r => r.Rate)}, more than 1");
                }
            }
            catch (FormatException ex)
            {
                console.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return ExitCodes.InvalidInput;
            }

            var options = defaults with
            {
                Port = parse.GetValue(port),
                Host = parse.GetValue(host)!,
                Model = parse.GetValue(model)!,
                TtftMs = parse.GetValue(ttft),
                ItlMs = parse.GetValue(itl),
                ItlLoadFactor = parse.GetValue(itlLoad),
                OutputTokens = Math.Max(1, parse.GetValue(outputTokens)),
                TokensPerChunk = Math.Max(1, parse.GetValue(perChunk)),
                MaxBatch = Math.Max(1, parse.GetValue(maxBatch)),
                Faults = rules,
                StallTime = TimeSpan.FromSeconds(parse.GetValue(stall)),
                ApiKey = parse.GetValue(apiKey),
                Seed = parse.GetValue(seed),
                Tls = parse.GetValue(tls),
            };
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
                console.MarkupLine($"Simulating [bold]{Markup.Escape(options.Model)}[/] at [blue]{server.V1}[/] (TTFT {options.TtftMs} ms, ITL {options.ItlMs} ms, batch {options.MaxBatch}); Ctrl+C stops");
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
