using System.Text.Json;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>The names report enums are written under (<c>completed</c>, <c>queue</c>): lower snake_case, as reports always had them.</summary>
public static class ReportNames
{
    internal static JsonNamingPolicy Policy => JsonNamingPolicy.SnakeCaseLower;

    /// <summary>The written name of <paramref name="value"/>.</summary>
    public static string Of<T>(T value)
        where T : struct, Enum => Policy.ConvertName(value.ToString());
}
