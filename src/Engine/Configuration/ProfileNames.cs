namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Text names of profiles and request types as written in configs and reports.</summary>
public static class ProfileNames
{
    /// <summary>The accepted profile names.</summary>
    public static IReadOnlyList<string> All { get; } = ["synchronous", "concurrent", "throughput", "constant", "poisson", "sweep"];

    /// <summary>The config/report name of a profile.</summary>
    public static string Format(ProfileKind kind) => kind switch
    {
        ProfileKind.Synchronous => "synchronous",
        ProfileKind.Concurrent => "concurrent",
        ProfileKind.Throughput => "throughput",
        ProfileKind.Constant => "constant",
        ProfileKind.Poisson => "poisson",
        ProfileKind.Sweep => "sweep",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses a profile name (case-insensitive).</summary>
    public static bool TryParse(string? text, out ProfileKind kind)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (string.Equals(All[i], text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = (ProfileKind)i;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>The config/report name of a request type.</summary>
    public static string Format(RequestType type) =>
        type == RequestType.ChatCompletions ? "chat_completions" : "text_completions";

    /// <summary>Parses <c>chat_completions</c> or <c>text_completions</c>.</summary>
    public static bool TryParseRequestType(string? text, out RequestType type)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "chat_completions" or "chat":
                type = RequestType.ChatCompletions;
                return true;
            case "text_completions" or "completions" or "text":
                type = RequestType.TextCompletions;
                return true;
            default:
                type = default;
                return false;
        }
    }

    /// <summary>Parses <c>auto</c> or <c>httpclient</c> (case-insensitive).</summary>
    public static bool TryParseHttpClient(string? text, out HttpClientKind kind)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "auto":
                kind = HttpClientKind.Auto;
                return true;
            case "httpclient" or "dotnet":
                kind = HttpClientKind.HttpClient;
                return true;
            default:
                kind = default;
                return false;
        }
    }
}
