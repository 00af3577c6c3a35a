namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>The sample datasets under samples/datasets, made for the tests and the README.</summary>
public static class Samples
{
    public static string Path(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "GuidellmFunctions.sln")))
            {
                return System.IO.Path.Combine(dir.FullName, "samples", "datasets", name);
            }
        }

        throw new InvalidOperationException("GuidellmFunctions.sln not found above " + AppContext.BaseDirectory);
    }
}
