using System.Security.Cryptography;

namespace GuidellmFunctions.Engine.Load;

/// <summary>Run ids: sortable by start time, unique, safe in paths, blob names and labels.</summary>
public static class RunIds
{
    /// <summary>A new id such as <c>20261128T103552Z-1a2b3c4d</c>.</summary>
    public static string New(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return $"{time.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
    }

    /// <summary>
    /// The run id of a timer firing: the firing time truncated to the minute, so a retry of the same firing within that
    /// minute maps to the same run.
    /// </summary>
    public static string ForTimer(DateTimeOffset firedAt) =>
        "timer-" + firedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmm'00Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="runId"/> is 1–128 characters of letters, digits, '-', '_' and '.', not starting with '.'.</summary>
    public static bool IsValid(string? runId) =>
        runId is { Length: > 0 and <= 128 } && runId[0] != '.' && runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
