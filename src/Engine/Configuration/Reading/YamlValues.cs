using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration.Reading;

/// <summary>
/// Reads scalar values out of YAML nodes for every section reader: <c>${VAR}</c> substitution, numbers, durations,
/// booleans, names and URLs, each problem collected with file, line, column and key path so all are reported at once.
/// </summary>
internal sealed class YamlValues(string source, Func<string, string?> environment)
{
    /// <summary>Every problem found so far, in document order.</summary>
    public List<ConfigError> Errors { get; } = [];

    /// <summary>Things accepted but not acted on.</summary>
    public List<ConfigError> Warnings { get; } = [];

    /// <summary>Where the YAML came from, for messages.</summary>
    public string Source => source;

    /// <summary>
    /// True when reading a config file; false for a flag or a queue message's override, which may only pick what the config
    /// defines (a dataset by name), never name a file or URL for the runner to read.
    /// </summary>
    public bool InConfig { get; init; } = true;

    /// <summary>A key with separators and case removed: <c>max_seconds</c>, <c>maxSeconds</c> and <c>max-seconds</c> match.</summary>
    public static string Normalize(string key) =>
        key.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>The text of a mapping key.</summary>
    public static string KeyText(YamlNode key) => key is YamlScalarNode s ? s.Value ?? string.Empty : key.ToString();

    /// <summary>The scalar's text with variables substituted; null (and an error) for a list, a mapping or an unset variable.</summary>
    public string? Text(YamlNode node, string path)
    {
        if (node is not YamlScalarNode scalar)
        {
            Error(node, path, "must be a single value, not a list or mapping");
            return null;
        }

        var missing = new List<string>();
        var value = VariableSubstitution.Substitute(scalar.Value ?? string.Empty, environment, missing);
        foreach (var name in missing.Distinct(StringComparer.Ordinal))
        {
            Error(node, path, $"environment variable '{name}' is not set (write ${{{name}:-default}} for an optional one)");
        }

        return missing.Count > 0 ? null : value;
    }

    /// <summary>Non-empty text; null with an error when empty.</summary>
    public string? RequireText(YamlNode node, string path)
    {
        var text = Text(node, path);
        if (string.IsNullOrWhiteSpace(text))
        {
            if (text is not null)
            {
                Error(node, path, "must not be empty");
            }

            return null;
        }

        return text;
    }

    /// <summary>Text that is not empty becomes a <see cref="Secret"/>; empty means none.</summary>
    public Secret? OptionalSecret(YamlNode node, string path) => Text(node, path) is { Length: > 0 } text ? new Secret(text) : null;

    /// <summary>An absolute http(s) URL.</summary>
    public Uri? Url(YamlNode node, string path)
    {
        var text = RequireText(node, path);
        if (text is null)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        Error(node, path, "must be an absolute http:// or https:// URL");
        return null;
    }

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int? Int(YamlNode node, string path, int min, int max = int.MaxValue)
    {
        var text = Text(node, path);
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        var range = max == int.MaxValue ? $">= {min}" : $"between {min} and {max}";
        Error(node, path, min == int.MinValue ? $"must be a whole number, got '{text}'" : $"must be a whole number {range}, got '{text}'");
        return null;
    }

    /// <summary>A finite number above <paramref name="min"/> (or at it, unless <paramref name="exclusiveMin"/>).</summary>
    public double? Double(YamlNode node, string path, double min, bool exclusiveMin)
    {
        var text = Text(node, path);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            && (exclusiveMin ? value > min : value >= min))
        {
            return value;
        }

        Error(node, path, $"must be a number {(exclusiveMin ? ">" : ">=")} {min.ToString(CultureInfo.InvariantCulture)}, got '{text}'");
        return null;
    }

    /// <summary>A duration in seconds or with a unit; above zero when <paramref name="positive"/>.</summary>
    public TimeSpan? Duration(YamlNode node, string path, bool positive)
    {
        var text = Text(node, path);
        if (text is null)
        {
            return null;
        }

        if (DurationParser.TryParse(text, out var value) && (!positive || value > TimeSpan.Zero))
        {
            return value;
        }

        Error(node, path, $"must be a duration {(positive ? "> 0" : ">= 0")} in seconds or with a unit (500ms, 30s, 5m, 1h), got '{text}'");
        return null;
    }

    /// <summary>true/yes/on/1 or false/no/off/0.</summary>
    public bool? Bool(YamlNode node, string path)
    {
        var text = Text(node, path);
        switch (text?.Trim().ToLowerInvariant())
        {
            case null:
                return null;
            case "true" or "yes" or "on" or "1":
                return true;
            case "false" or "no" or "off" or "0":
                return false;
            default:
                Error(node, path, $"must be true or false, got '{text}'");
                return null;
        }
    }

    /// <summary>One of <paramref name="names"/>; an unknown name is an error listing the expected ones.</summary>
    public T? Name<T>(YamlNode node, string path, EnumNames<T> names, string key)
        where T : struct, Enum
    {
        var text = Text(node, path);
        if (text is null)
        {
            return null;
        }

        if (names.TryParse(text, out var value))
        {
            return value;
        }

        Error(node, path, $"unknown {key} '{text}' (expected {names.Expected})");
        return null;
    }

    /// <summary>A mapping of header name to value (values are secrets), added to <paramref name="headers"/>.</summary>
    public void Headers(YamlNode node, string path, Dictionary<string, Secret> headers)
    {
        if (node is not YamlMappingNode map)
        {
            Error(node, path, "must be a mapping of header name to value");
            return;
        }

        foreach (var (k, v) in map.Children)
        {
            var name = KeyText(k);
            if (Text(v, $"{path}.{name}") is { } value)
            {
                headers[name] = new Secret(value);
            }
        }
    }

    /// <summary>A problem at <paramref name="node"/>.</summary>
    public ConfigError At(YamlNode node, string path, string message) =>
        new(source, (int)node.Start.Line, (int)node.Start.Column, path, message);

    /// <summary>Records a problem at <paramref name="node"/>.</summary>
    public void Error(YamlNode node, string path, string message) => Errors.Add(At(node, path, message));

    /// <summary>Records a problem with no node (a missing section).</summary>
    public void Error(ConfigError error) => Errors.Add(error);
}
