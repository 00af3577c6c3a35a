using BenchmarkDotNet.Running;
using GuidellmFunctions.Benchmarks.Scenarios;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Load;
using Spectre.Console;

namespace GuidellmFunctions.Benchmarks;

/// <summary>
/// The benchmark suite: <c>[--quick] [--only capacity,streaming,accuracy,dispatch,memory,encoding,simulator,workloads,page,verdicts,soak,servermetrics,shards] [--minutes M] [--simulator URL] [--output FILE]</c>
/// runs the scenarios and writes the summary; <c>micro [BenchmarkDotNet args]</c> runs the
/// micro-benchmarks (SSE parsing, remote_write encoding, request preparation). <c>simulator-host</c>, <c>memory-probe</c>, <c>dataset-probe</c>, <c>page-probe</c> and <c>verdict-probe</c> are the child processes the suite starts.
/// </summary>
public static class Program
{
    private static readonly string[] AllScenarios = ["capacity", "streaming", "accuracy", "dispatch", "memory", "encoding", "simulator", "workloads", "page", "verdicts", "connections"];

    // Run only when asked for: soak lasts --minutes (30 by default); shards needs Azurite and the built CLI.
    private static readonly string[] OnRequest = ["soak", "servermetrics", "shards"];

    /// <summary>True when this process set <see cref="LoadGeneratorRuntime.InlineSocketCompletionsVariable"/> itself.</summary>
    internal static bool SetInlineCompletions { get; private set; }

    /// <summary>Entry point.</summary>
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);

        // Every process here generates or serves load, as the CLI's verbs do.
        LoadGeneratorRuntime.ConfigureThreadPool();
        switch (args.FirstOrDefault())
        {
            case "simulator-host":
                return await SimulatorProcess.HostAsync(args[1..]).ConfigureAwait(false);
            case "memory-probe":
                return await MemoryScenario.ProbeAsync(args[1..]).ConfigureAwait(false);
            case "dataset-probe":
                return WorkloadScenario.Probe(args[1..]);
            case "page-probe":
                return await PageScenario.ProbeAsync(args[1..]).ConfigureAwait(false);
            case "verdict-probe":
                return await VerdictScenario.ProbeAsync(args[1..]).ConfigureAwait(false);
            case "micro":
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
                return 0;
        }

        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 200;
        }

        // The runner is measured as `guidellm-runner run` runs it; the simulator processes started from here do not inherit it.
        SetInlineCompletions = LoadGeneratorRuntime.RunSocketCompletionsInline();

        var quick = args.Contains("--quick");
        var only = Value(args, "--only")?.Split(',') ?? AllScenarios;
        var unknown = only.Except(AllScenarios).Except(OnRequest).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"unknown scenario(s) {string.Join(", ", unknown)}; known: {string.Join(", ", AllScenarios.Concat(OnRequest))}");
            return 2;
        }

        var output = Value(args, "--output") ?? Path.Combine("artifacts", "bench", "summary.json");
        Uri? remote = null;
        if (Value(args, "--simulator") is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out remote) || remote.Scheme != Uri.UriSchemeHttp))
        {
            Console.Error.WriteLine($"--simulator '{url}' is not an absolute http URL of a running simulator (guidellm-runner simulate)");
            return 2;
        }

        var suite = new Suite(AnsiConsole.Console, quick, remote);
        AnsiConsole.MarkupLine(Markup.Escape($"guidellm benchmark suite{(quick ? " (quick)" : string.Empty)}: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}"));
        foreach (var scenario in only)
        {
            switch (scenario)
            {
                case "capacity": await CapacityScenario.RunAsync(suite).ConfigureAwait(false); break;
                case "streaming": await StreamingScenario.RunAsync(suite).ConfigureAwait(false); break;
                case "accuracy": await AccuracyScenario.RunAsync(suite).ConfigureAwait(false); break;
                case "dispatch": await DispatchScenario.RunAsync(suite).ConfigureAwait(false); break;
                case "memory": await MemoryScenario.RunAsync(suite).ConfigureAwait(false); break;
                case "encoding": EncodingScenario.Run(suite); break;
                case "simulator": await SimulatorScenario.RunAsync(suite).ConfigureAwait(false); break;
                case "workloads": await WorkloadScenario.RunAsync(suite).ConfigureAwait(false); break;
                case "page": await PageScenario.RunAsync(suite).ConfigureAwait(false); break;
                case "verdicts": await VerdictScenario.RunAsync(suite).ConfigureAwait(false); break;
                case "servermetrics": await ServerMetricsScenario.RunAsync(suite).ConfigureAwait(false); break;
                case "connections": await ConnectionsScenario.RunAsync(suite).ConfigureAwait(false); break;
                case "shards": await ShardsScenario.RunAsync(suite).ConfigureAwait(false); break;
                case "soak": await SoakScenario.RunAsync(suite, double.Parse(Value(args, "--minutes") ?? "30", System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false); break;
            }
        }

        await suite.WriteAsync(output).ConfigureAwait(false);
        return 0;
    }

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
