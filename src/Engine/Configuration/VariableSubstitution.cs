using System.Text;
using System.Text.RegularExpressions;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Replaces <c>${VAR}</c> and <c>${VAR:-default}</c> in config values from the environment.</summary>
internal static partial class VariableSubstitution
{
    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?<default>[^}]*))?\}", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>
    /// Substitutes every variable in <paramref name="text"/>. Each variable that is unset and has no default is added
    /// to <paramref name="missing"/>; it is left in place.
    /// </summary>
    public static string Substitute(string text, Func<string, string?> lookup, List<string> missing)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(missing);
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var last = 0;
        foreach (Match m in Pattern().Matches(text))
        {
            builder.Append(text, last, m.Index - last);
            var name = m.Groups["name"].Value;
            var value = lookup(name);
            if (value is null)
            {
                if (m.Groups["default"].Success)
                {
                    value = m.Groups["default"].Value;
                }
                else
                {
                    missing.Add(name);
                    value = m.Value;
                }
            }

            builder.Append(value);
            last = m.Index + m.Length;
        }

        builder.Append(text, last, text.Length - last);
        return builder.ToString();
    }
}
