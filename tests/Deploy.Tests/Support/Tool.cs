using System.Diagnostics;

namespace GuidellmFunctions.Deploy.Tests.Support;

/// <summary>What a tool printed and returned.</summary>
internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

/// <summary>Runs the real tool of a format (bicep, kubectl, node, promtool), installed by scripts/test.sh.</summary>
internal static class Tool
{
    public static string Bicep => Existing(Repository.PathOf("tools", "bicep", "bicep"), "the Bicep CLI (scripts/test.sh restores it from NuGet into tools/bicep)");

    public static string Validator
    {
        get
        {
            Existing(Repository.PathOf("deploy", "validate", "node_modules", "kubernetes-models", "package.json"), "the manifest schemas (scripts/test.sh runs npm ci in deploy/validate)");
            return Repository.PathOf("deploy", "validate", "validate.mjs");
        }
    }

    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> args, string? stdin = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"'{file}' cannot be run ({ex.Message}); scripts/test.sh installs the tools the tests use", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
                process.StandardInput.Close();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);
            return new ToolResult(process.ExitCode, await stdout, await stderr);
        }
    }

    private static string Existing(string path, string what) =>
        File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: {what}");
}
