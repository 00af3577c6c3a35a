namespace GuidellmFunctions.Deploy.Tests.Support;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class Repository
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GuidellmFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GuidellmFunctions.sln not found above " + AppContext.BaseDirectory);
    });

    public static string Root => RootPath.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);
}
