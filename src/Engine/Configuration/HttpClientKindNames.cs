namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Text names of <see cref="HttpClientKind"/> as written in configs, flags and reports.</summary>
internal static class HttpClientKindNames
{
    /// <summary>Each client's written name, and the other names accepted.</summary>
    public static EnumNames<HttpClientKind> Names { get; } = new(
        (HttpClientKind.Runner, "auto", []),
        (HttpClientKind.HttpClient, "httpclient", ["dotnet"]));
}
