using System.Text.RegularExpressions;

namespace GuidellmFunctions.Engine.Export;

/// <summary>Builds and validates remote_write label sets: names match <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, values non-empty, sorted, unique.</summary>
internal static partial class LabelSet
{
    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    /// <summary>True when <paramref name="name"/> is a valid label name.</summary>
    public static bool IsValidName(string name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>
    /// Sorts <paramref name="labels"/> by name and checks them; empty values are dropped (Prometheus treats a label with an
    /// empty value as absent). Throws with every problem named.
    /// </summary>
    public static KeyValuePair<string, string>[] Build(IEnumerable<KeyValuePair<string, string>> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var sorted = labels.Where(l => !string.IsNullOrEmpty(l.Value)).OrderBy(l => l.Key, StringComparer.Ordinal).ToArray();
        var problems = new List<string>();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (!IsValidName(sorted[i].Key) && sorted[i].Key != "__name__")
            {
                problems.Add($"invalid label name '{sorted[i].Key}'");
            }

            if (i > 0 && sorted[i].Key == sorted[i - 1].Key)
            {
                problems.Add($"duplicate label name '{sorted[i].Key}'");
            }
        }

        if (!sorted.Any(l => l.Key == "__name__"))
        {
            problems.Add("missing metric name (__name__)");
        }

        return problems.Count > 0 ? throw new ArgumentException(string.Join("; ", problems), nameof(labels)) : sorted;
    }
}
