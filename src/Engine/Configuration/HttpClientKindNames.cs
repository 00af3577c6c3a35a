namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Text names of <see cref="HttpClientKind"/> as written in configs, flags and reports.</summary>
public static class HttpClientKindNames
{
    /// <summary>Each client's written name, and the other names accepted.</summary>
    public static EnumNames<HttpClientKind> Names { get; } = new(
        (HttpClientKind.Auto, "auto", []),
        (HttpClientKind.HttpClient, "httpclient", ["dotnet"]));
}
