using System.Globalization;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Parses durations written as seconds (<c>30</c>, <c>1.5</c>) or with a unit (<c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>).</summary>
public static class DurationParser
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a non-negative duration a TimeSpan can hold.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var t = text.Trim().ToLowerInvariant();
        var (number, scale) = t switch
        {
            _ when t.EndsWith("ms", StringComparison.Ordinal) => (t[..^2], 0.001),
            _ when t.EndsWith('s') => (t[..^1], 1.0),
            _ when t.EndsWith('m') => (t[..^1], 60.0),
            _ when t.EndsWith('h') => (t[..^1], 3600.0),
            _ => (t, 1.0),
        };

        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0 || !double.IsFinite(n)
            || n * scale >= TimeSpan.MaxValue.TotalSeconds / 4)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(n * scale);
        return true;
    }
}
