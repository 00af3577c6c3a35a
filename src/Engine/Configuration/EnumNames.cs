namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// The names an enum's values are written under in configs, flags, messages and reports: one written name per value,
/// plus other names also accepted when reading (case-insensitive).
/// </summary>
/// <typeparam name="T">The enum.</typeparam>
internal sealed class EnumNames<T>
    where T : struct, Enum
{
    private readonly (T Value, string Name, string[] Also)[] _entries;

    /// <summary>Creates the names; every value of <typeparamref name="T"/> must have one.</summary>
    /// <param name="entries">Each value with its written name and any other accepted names.</param>
    public EnumNames(params (T Value, string Name, string[] Also)[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var missing = Enum.GetValues<T>().Where(v => !entries.Any(e => e.Value.Equals(v))).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"no name for {string.Join(", ", missing)}", nameof(entries));
        }

        _entries = entries;
    }

    /// <summary>The written names, in declaration order.</summary>
    public IReadOnlyList<string> All => [.. _entries.Select(e => e.Name)];

    /// <summary>The written names as a message lists them: <c>a or b</c>, <c>one of a, b, c</c>.</summary>
    public string Expected => All.Count switch
    {
        1 => All[0],
        2 => $"{All[0]} or {All[1]}",
        _ => $"one of {string.Join(", ", All)}",
    };

    /// <summary>The written name of <paramref name="value"/>.</summary>
    public string Format(T value)
    {
        foreach (var entry in _entries)
        {
            if (entry.Value.Equals(value))
            {
                return entry.Name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, null);
    }

    /// <summary>Parses a written or other accepted name (case-insensitive, surrounding blanks ignored).</summary>
    public bool TryParse(string? text, out T value)
    {
        var trimmed = text?.Trim();
        foreach (var entry in _entries)
        {
            if (string.Equals(entry.Name, trimmed, StringComparison.OrdinalIgnoreCase)
                || entry.Also.Any(a => string.Equals(a, trimmed, StringComparison.OrdinalIgnoreCase)))
            {
                value = entry.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}
