using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>The kinds of setting values: how each is read, written, reported (durations in seconds) and described.</summary>
internal static class SettingFormats
{
    public static SettingFormat<double> Number(double min, bool exclusiveMin) => new(
        $"number {(exclusiveMin ? ">" : ">=")} {Invariant(min)}",
        (SettingParser<double>)((yaml, _, node, path, out value) => Got(yaml.Double(node, path, min, exclusiveMin), out value)),
        Invariant,
        v => JsonValue.Create(v));

    /// <summary>A number above <paramref name="min"/>, none by default.</summary>
    public static SettingFormat<double?> OptionalNumber(double min) => new(
        $"number > {Invariant(min)}, or none",
        (SettingParser<double?>)((yaml, _, node, path, out value) =>
        {
            value = null;
            if (node is YamlScalarNode { Value: { } text } && string.Equals(text.Trim(), "none", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            value = yaml.Double(node, path, min, exclusiveMin: true);
            return value is not null;
        }),
        v => v is { } n ? Invariant(n) : "none",
        v => v is { } n ? JsonValue.Create(n) : null);

    /// <summary>A dataset: a mapping defining one, or the name of one the config defines (<see cref="Reading.DatasetReader"/>).</summary>
    public static SettingFormat<DatasetSpec?> Dataset { get; } = new(
        Reading.DatasetReader.Values,
        (SettingParser<DatasetSpec?>)((yaml, _, node, path, out value) => new Reading.DatasetReader(yaml).TryRead(node, path, out value)),
        v => v?.ToString() ?? "none",
        v => v?.ToReport());

    public static SettingFormat<int> Int(int min) => new(
        min == int.MinValue ? "whole number" : $"whole number >= {min}",
        (SettingParser<int>)((yaml, _, node, path, out value) => Got(yaml.Int(node, path, min), out value)),
        v => v.ToString(CultureInfo.InvariantCulture),
        v => JsonValue.Create(v));

    /// <summary>A whole number >= <paramref name="min"/>, none by default; when <paramref name="min"/> is 0, 0 means none.</summary>
    public static SettingFormat<int?> OptionalInt(int min) => new(
        min == 0 ? "whole number >= 0 (0: none)" : $"whole number >= {min}",
        (SettingParser<int?>)((yaml, _, node, path, out value) =>
        {
            var read = yaml.Int(node, path, min);
            value = read is 0 ? null : read;
            return read is not null;
        }),
        v => v?.ToString(CultureInfo.InvariantCulture) ?? "none",
        v => v is { } n ? JsonValue.Create(n) : null);

    public static SettingFormat<TimeSpan> Duration(bool positive) => new(
        $"duration {(positive ? ">" : ">=")} 0 (500ms, 30s, 5m, 1h; a bare number is seconds)",
        (SettingParser<TimeSpan>)((yaml, _, node, path, out value) => Got(yaml.Duration(node, path, positive), out value)),
        DurationText,
        v => JsonValue.Create(v.TotalSeconds));

    /// <summary>A duration where 0 means none (no limit).</summary>
    public static SettingFormat<TimeSpan?> DurationOrNone() => new(
        "duration >= 0 (30s, 5m; 0: none)",
        (SettingParser<TimeSpan?>)((yaml, _, node, path, out value) =>
        {
            var read = yaml.Duration(node, path, positive: false);
            value = read > TimeSpan.Zero ? read : null;
            return read is not null;
        }),
        v => v is { } d ? DurationText(d) : "none",
        v => v is { } d ? JsonValue.Create(d.TotalSeconds) : null);

    public static SettingFormat<bool> Bool { get; } = new(
        "true or false",
        (SettingParser<bool>)((yaml, _, node, path, out value) => Got(yaml.Bool(node, path), out value)),
        v => v ? "true" : "false",
        v => JsonValue.Create(v));

    public static SettingFormat<T> Choice<T>(EnumNames<T> names)
        where T : struct, Enum => new(
        names.Expected,
        (SettingParser<T>)((yaml, key, node, path, out value) => Got(yaml.Name(node, path, names, key), out value)),
        names.Format,
        v => JsonValue.Create(names.Format(v)));

    /// <summary>guidellm's <c>data_spec</c> string, or a mapping of the same keys.</summary>
    public static SettingFormat<DataSpec> Data { get; } = new(
        "prompt_tokens=N,output_tokens=N (each also _stdev, _min, _max; prefix_tokens, prefix_count, turns, tokenizer), or a mapping of those keys",
        (SettingParser<DataSpec>)((yaml, _, node, path, out value) =>
        {
            var problems = new List<string>();
            DataSpec? spec = null;
            if (node is YamlMappingNode map)
            {
                var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (k, v) in map.Children)
                {
                    var key = Reading.YamlValues.KeyText(k);
                    if (yaml.Text(v, $"{path}.{key}") is { } text)
                    {
                        pairs[key.ToLowerInvariant()] = text;
                    }
                }

                spec = DataSpec.FromPairs(pairs, problems);
            }
            else if (yaml.Text(node, path) is { } text)
            {
                spec = DataSpec.Parse(text, problems);
            }

            problems.ForEach(p => yaml.Error(node, path, p));
            value = spec!;
            return spec is not null;
        }),
        v => v.ToString(),
        v => JsonValue.Create(v.ToString()));

    /// <summary>Text checked by <paramref name="check"/> (which returns the problem, or null); empty means none.</summary>
    public static SettingFormat<string?> OptionalText(string values, Func<string, string?> check) => new(
        values,
        (SettingParser<string?>)((yaml, _, node, path, out value) =>
        {
            var text = yaml.Text(node, path)?.Trim();
            value = string.IsNullOrEmpty(text) ? null : text;
            if (value is not null && check(value) is { } problem)
            {
                yaml.Error(node, path, problem);
                return false;
            }

            return text is not null;
        }),
        v => v ?? "none",
        v => v is null ? null : JsonValue.Create(v));

    /// <summary><c>azure_ad</c>, a mapping of <c>type: azure_ad</c> and <c>scope</c>, or <c>none</c>.</summary>
    public static SettingFormat<AuthSetting?> Auth { get; } = new(
        "azure_ad, {type: azure_ad, scope: URL}, or none",
        (SettingParser<AuthSetting?>)((yaml, _, node, path, out value) =>
        {
            value = null;
            string? type = null, scope = null;
            if (node is YamlMappingNode map)
            {
                foreach (var (k, v) in map.Children)
                {
                    var key = Reading.YamlValues.KeyText(k);
                    switch (key)
                    {
                        case "type":
                            type = yaml.RequireText(v, $"{path}.type")?.Trim();
                            break;
                        case "scope":
                            scope = yaml.RequireText(v, $"{path}.scope")?.Trim();
                            break;
                        default:
                            yaml.Error(k, $"{path}.{key}", "unknown key (expected type, scope)");
                            return false;
                    }
                }
            }
            else
            {
                type = yaml.Text(node, path)?.Trim();
            }

            if (type is "none" or "")
            {
                return scope is null || Fail(yaml, node, path, "scope needs type azure_ad");
            }

            if (type != "azure_ad")
            {
                return Fail(yaml, node, path, $"unknown auth '{type}' (expected azure_ad or none)");
            }

            if (scope is not null && !Uri.IsWellFormedUriString(scope, UriKind.Absolute))
            {
                return Fail(yaml, node, $"{path}.scope", $"must be an absolute URI such as {AuthSetting.CognitiveServicesScope}, got '{scope}'");
            }

            value = new AuthSetting(scope ?? AuthSetting.CognitiveServicesScope);
            return true;
        }),
        v => v?.ToString() ?? "none",
        v => v is null ? null : JsonValue.Create(v.ToString()));

    private static bool Fail(Reading.YamlValues yaml, YamlNode node, string path, string problem)
    {
        yaml.Error(node, path, problem);
        return false;
    }

    /// <summary>
    /// An <c>http://</c> proxy URL (credentials may be in it), a mapping of <c>url</c>, <c>username</c> and
    /// <c>password</c>, or <c>none</c>; absent means the environment's proxy.
    /// </summary>
    public static SettingFormat<ProxySetting?> Proxy { get; } = new(
        "http://host:port (user:password@ allowed), {url, username, password}, or none",
        (SettingParser<ProxySetting?>)((yaml, _, node, path, out value) =>
        {
            value = null;
            string? url = null, username = null;
            Secret? password = null;
            if (node is YamlMappingNode map)
            {
                foreach (var (k, v) in map.Children)
                {
                    var key = Reading.YamlValues.KeyText(k);
                    switch (key)
                    {
                        case "url":
                            url = yaml.RequireText(v, $"{path}.url");
                            break;
                        case "username":
                            username = yaml.Text(v, $"{path}.username");
                            break;
                        case "password":
                            password = yaml.OptionalSecret(v, $"{path}.password");
                            break;
                        default:
                            yaml.Error(k, $"{path}.{key}", "unknown key (expected url, username, password)");
                            return false;
                    }
                }

                if (url is null)
                {
                    yaml.Error(node, $"{path}.url", "missing: a proxy mapping needs its url");
                    return false;
                }
            }
            else if ((url = yaml.Text(node, path)?.Trim()) is null)
            {
                return false;
            }

            if (url is "" or "none" or "false" or "direct")
            {
                value = ProxySetting.Direct;
                return true;
            }

            if (!Uri.TryCreate(url.Contains("://", StringComparison.Ordinal) ? url : "http://" + url, UriKind.Absolute, out var uri)
                || uri.Scheme != Uri.UriSchemeHttp || uri.Host.Length == 0 || uri.AbsolutePath != "/" || uri.Query.Length > 0)
            {
                // The value is not quoted: it may hold a password.
                yaml.Error(node, path, "must be an http://host:port proxy URL, a mapping of url, username and password, or none");
                return false;
            }

            if (uri.UserInfo.Length > 0)
            {
                var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
                username ??= Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
                password ??= colon < 0 ? null : new Secret(Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]));
            }

            value = new ProxySetting(new Uri(uri.GetLeftPart(UriPartial.Authority)), username, password);
            return true;
        }),
        v => v?.ToString() ?? "from the environment",
        v => v is null ? null : JsonValue.Create(v.ToString()));

    private static bool Got<T>(T? read, out T value)
        where T : struct
    {
        value = read ?? default;
        return read is not null;
    }

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string DurationText(TimeSpan value) =>
        value.TotalSeconds >= 1 || value == TimeSpan.Zero
            ? Invariant(value.TotalSeconds) + "s"
            : Invariant(value.TotalMilliseconds) + "ms";
}
