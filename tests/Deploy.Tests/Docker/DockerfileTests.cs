using System.Text.RegularExpressions;
using System.Xml.Linq;
using GuidellmFunctions.Deploy.Tests.Support;

namespace GuidellmFunctions.Deploy.Tests.Docker;

/// <summary>
/// The Dockerfiles checked without a Docker daemon (none runs here): pinned base images, every COPY source present, every
/// project the published one needs copied, a non-root runner, and the runner's build context published for real.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string, string> Images() => new()
    {
        { "runner.Dockerfile", "src/Cli/GuidellmFunctions.Cli.csproj" },
        { "functions.Dockerfile", "src/Functions/GuidellmFunctions.Functions.csproj" },
    };

    private static string[] Lines(string dockerfile) =>
        [.. File.ReadAllLines(Repository.PathOf("deploy", "docker", dockerfile)).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    private static List<string> CopiedSources(string dockerfile) =>
        [.. Lines(dockerfile).Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])];

    [Theory]
    [MemberData(nameof(Images))]
    public void Base_images_are_pinned_and_every_copied_path_exists(string dockerfile, string project)
    {
        var lines = Lines(dockerfile);
        var images = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToList();

        Assert.NotEmpty(images);
        Assert.All(images, image => Assert.Matches(@":[0-9][^:]*$", image));
        Assert.All(CopiedSources(dockerfile), source => Assert.True(
            File.Exists(Repository.PathOf(source)) || Directory.Exists(Repository.PathOf(source)), $"{dockerfile} copies {source}, which does not exist"));
        Assert.Contains(lines, l => l.StartsWith("RUN dotnet publish " + project, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Every_project_the_published_one_references_is_in_the_build_context(string dockerfile, string project)
    {
        var copied = CopiedSources(dockerfile).Select(s => s.TrimEnd('/')).ToList();
        var pending = new Queue<string>([Repository.PathOf(project)]);
        var seen = new HashSet<string>();
        while (pending.TryDequeue(out var path))
        {
            if (!seen.Add(path))
            {
                continue;
            }

            var relative = Path.GetRelativePath(Repository.Root, Path.GetDirectoryName(path)!).Replace('\\', '/');
            Assert.True(copied.Contains(relative), $"{dockerfile} does not copy {relative}, which {project} needs");
            foreach (var reference in XDocument.Load(path).Descendants("ProjectReference"))
            {
                pending.Enqueue(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, reference.Attribute("Include")!.Value)));
            }
        }

        foreach (var file in (string[])["global.json", "Directory.Build.props", "Directory.Packages.props", "Directory.Build.rsp"])
        {
            Assert.Contains(file, copied);
        }
    }

    [Fact]
    public void The_runner_image_runs_as_a_non_root_user_and_starts_guidellm_runner()
    {
        var lines = Lines("runner.Dockerfile");
        var final = lines[Array.FindLastIndex(lines, l => l.StartsWith("FROM ", StringComparison.Ordinal))..];

        Assert.Contains("USER $APP_UID", final);
        var entrypoint = Assert.Single(final, l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal));
        var assembly = XDocument.Load(Repository.PathOf("src", "Cli", "GuidellmFunctions.Cli.csproj")).Descendants("AssemblyName").Single().Value;
        Assert.Contains($"\"{assembly}.dll\"", entrypoint, StringComparison.Ordinal);
        Assert.Contains(final, l => ExposeMetrics().IsMatch(l));
    }

    [Fact]
    public async Task The_runner_build_context_alone_publishes()
    {
        var context = Directory.CreateTempSubdirectory("guidellm-docker-").FullName;
        try
        {
            foreach (var source in CopiedSources("runner.Dockerfile"))
            {
                CopyInto(Repository.PathOf(source), Path.Combine(context, source));
            }

            var output = Path.Combine(context, "app");
            var result = await Tool.RunAsync("dotnet", ["publish", "src/Cli/GuidellmFunctions.Cli.csproj", "-c", "Release", "-o", output, "-nologo"], workingDirectory: context);

            Assert.True(result.ExitCode == 0, result.Output);
            Assert.True(File.Exists(Path.Combine(output, "guidellm-runner.dll")));
        }
        finally
        {
            Directory.Delete(context, recursive: true);
        }
    }

    private static void CopyInto(string source, string destination)
    {
        if (File.Exists(source))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination);
            return;
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                // .dockerignore keeps build output out of the context.
                continue;
            }

            CopyInto(file, Path.Combine(destination, relative));
        }
    }

    [GeneratedRegex(@"^EXPOSE 9090$")]
    private static partial Regex ExposeMetrics();
}
