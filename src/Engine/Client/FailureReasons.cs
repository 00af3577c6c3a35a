namespace GuidellmFunctions.Engine.Client;

/// <summary>Text names of <see cref="FailureReason"/> values, as they appear in reports and labels.</summary>
public static class FailureReasons
{
    private static readonly string[] Names = ["http_4xx", "http_429", "http_5xx", "timeout", "connection", "stream_error", "protocol"];

    /// <summary>Every reason name, in enum order.</summary>
    public static IReadOnlyList<string> All => Names;

    /// <summary>The name of <paramref name="reason"/>.</summary>
    public static string Format(FailureReason reason) => Names[(int)reason];

    /// <summary>The reason for an HTTP status that is not a success.</summary>
    public static FailureReason FromStatus(int status) => status switch
    {
        429 => FailureReason.Http429,
        >= 500 => FailureReason.Http5xx,
        >= 400 => FailureReason.Http4xx,
        _ => FailureReason.Protocol,
    };
}
