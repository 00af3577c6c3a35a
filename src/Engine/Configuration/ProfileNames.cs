namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Text names of load profiles as written in configs, flags and reports.</summary>
public static class ProfileNames
{
    /// <summary>Every profile's written name (case-insensitive when read).</summary>
    internal static EnumNames<ProfileKind> Names { get; } = new(
        (ProfileKind.Synchronous, "synchronous", []),
        (ProfileKind.Concurrent, "concurrent", []),
        (ProfileKind.Throughput, "throughput", []),
        (ProfileKind.Constant, "constant", []),
        (ProfileKind.Poisson, "poisson", []),
        (ProfileKind.Sweep, "sweep", []),
        (ProfileKind.Capacity, "capacity", []),
        (ProfileKind.Replay, "replay", []));

    /// <summary>The accepted profile names.</summary>
    public static IReadOnlyList<string> All => Names.All;

    /// <summary>The config/report name of a profile.</summary>
    public static string Format(ProfileKind kind) => Names.Format(kind);

    /// <summary>Parses a profile name (case-insensitive).</summary>
    public static bool TryParse(string? text, out ProfileKind kind) => Names.TryParse(text, out kind);
}
