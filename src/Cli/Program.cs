using System.CommandLine;
using GuidellmFunctions.Cli.Commands;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using Spectre.Console;

namespace GuidellmFunctions.Cli;

/// <summary>Entry point of <c>guidellm-runner</c>.</summary>
public static class Program
{
    /// <summary>Parses <paramref name="args"/> and runs the verb; returns the exit code.</summary>
    public static Task<int> Main(string[] args)
    {
        LoadGeneratorRuntime.ConfigureThreadPool();
        if (Console.IsOutputRedirected)
        {
            // Logs and CI capture have no width; keep the results table on whole lines.
            AnsiConsole.Profile.Width = 240;
        }

        var parse = BuildRoot(AnsiConsole.Console).Parse(args);
        if (parse.CommandResult.Command.Name == "run")
        {
            // A run only generates load; the demo and simulate verbs also serve it, and Kestrel would follow the setting.
            LoadGeneratorRuntime.RunSocketCompletionsInline();
        }

        return parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = ShutdownGrace() });
    }

    /// <summary>
    /// How long SIGTERM or Ctrl+C waits for the run in progress to save its partial report and push its last samples
    /// (<c>GUIDELLM_SHUTDOWN_GRACE</c>, default 25 s: inside Kubernetes' default 30 s termination grace period).
    /// </summary>
    internal static TimeSpan ShutdownGrace() =>
        DurationParser.TryParse(Environment.GetEnvironmentVariable("GUIDELLM_SHUTDOWN_GRACE"), out var grace) && grace > TimeSpan.Zero
            ? grace
            : TimeSpan.FromSeconds(25);

    internal static RootCommand BuildRoot(IAnsiConsole console)
    {
        var root = new RootCommand("guidellm-runner: streaming load tests of OpenAI-compatible LLM endpoints (vLLM first)");
        root.Subcommands.Add(RunCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console));
        root.Subcommands.Add(SimulateCommand.Create(console));
        root.Subcommands.Add(ValidateCommand.Create(console));
        root.Subcommands.Add(ServeCommand.Create(console));
        root.Subcommands.Add(ExportCommand.Create(console));
        root.Subcommands.Add(CompareCommand.Create(console));
        root.Subcommands.Add(ReportCommand.Create(console));
        root.Subcommands.Add(EnqueueCommand.Create(console));
        root.Subcommands.Add(WorkerCommand.Create(console));
        root.Subcommands.Add(MergeCommand.Create(console));
        return root;
    }
}
