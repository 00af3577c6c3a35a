using System.CommandLine;
using GuidellmFunctions.Cli.Commands;
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

        return BuildRoot(AnsiConsole.Console).Parse(args).InvokeAsync();
    }

    internal static RootCommand BuildRoot(IAnsiConsole console)
    {
        var root = new RootCommand("guidellm-runner: streaming load tests of OpenAI-compatible LLM endpoints (vLLM first)");
        root.Subcommands.Add(RunCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console));
        root.Subcommands.Add(SimulateCommand.Create(console));
        root.Subcommands.Add(ValidateCommand.Create(console));
        root.Subcommands.Add(ServeCommand.Create(console));
        root.Subcommands.Add(ExportCommand.Create(console));
        return root;
    }
}
