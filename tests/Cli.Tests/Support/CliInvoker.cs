using Spectre.Console;

namespace GuidellmFunctions.Cli.Tests.Support;

/// <summary>Invokes <c>guidellm-runner</c> in process, as a user would call it, with its output captured as plain text.</summary>
internal static class CliInvoker
{
    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken, params string[] args)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(TextWriter.Synchronized(output)),
        });
        console.Profile.Width = 250;
        return await Program.BuildRoot(console).Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = output }, cancellationToken);
    }
}
