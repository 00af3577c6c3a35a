using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GuidellmFunctions.Engine.Configuration.Reading;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// How <c>server_metrics</c> is written: <c>true</c> (the target's own <c>/metrics</c>), <c>false</c>, a URL, or a
/// mapping <c>{url: ...}</c> or <c>{prometheus: ..., selector: ..., gpu_selector: ...}</c> with the auth options of
/// remote_write; read with every problem named by its key, reported with every secret masked.
/// </summary>
internal static partial class ServerMetricsFormat
{
    private const string Known = "url, prometheus, selector, gpu_selector, bearer_token, basic_auth, headers, interval, timeout";

    /// <summary>The format of the setting.</summary>
    public static SettingFormat<ServerMetricsSetting> Format { get; } = new(
        "true (the target's `/metrics`), false, a `/metrics` URL, or a mapping `{url: URL}` or `{prometheus: URL, selector: '{...}', gpu_selector: '{...}'}`, "
        + "each with optional `bearer_token`, `basic_auth: {username, password}`, `headers`, `interval` (5s), `timeout` (5s)",
        Parse,
        Text,
        Report);

    /// <summary>True when <paramref name="selector"/> is a PromQL label selector (<c>{name="value", other=~"regex"}</c>) without <c>__name__</c>.</summary>
    public static bool IsSelector(string selector) =>
        SelectorPattern().IsMatch(selector) && !selector.Contains("__name__", StringComparison.Ordinal);

    private static bool Parse(YamlValues yaml, string key, YamlNode node, string path, out ServerMetricsSetting value)
    {
        value = ServerMetricsSetting.Target;
        switch (node)
        {
            case YamlScalarNode:
                var text = yaml.Text(node, path)?.Trim();
                switch (text?.ToLowerInvariant())
                {
                    case null:
                        return false;
                    case "true" or "yes" or "on":
                        return true;
                    case "false" or "no" or "off" or "none":
                        value = ServerMetricsSetting.Off;
                        return true;
                }

                if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
                {
                    value = new ServerMetricsSetting { Kind = ServerMetricsKind.Url, Url = url };
                    return true;
                }

                yaml.Error(node, path, $"must be true, false, an http(s) URL of a /metrics, or a mapping ({Known}); got '{text}'");
                return false;
            case YamlMappingNode map:
                return ParseMapping(yaml, map, path, out value);
            default:
                yaml.Error(node, path, $"must be true, false, a URL, or a mapping ({Known})");
                return false;
        }
    }

    private static bool ParseMapping(YamlValues yaml, YamlMappingNode map, string path, out ServerMetricsSetting value)
    {
        var errors = yaml.Errors.Count;
        Uri? url = null, prometheus = null;
        var setting = new ServerMetricsSetting();
        foreach (var (k, v) in map.Children)
        {
            var name = YamlValues.KeyText(k);
            var keyPath = $"{path}.{name}";
            switch (YamlValues.Normalize(name))
            {
                case "url":
                    url = yaml.Url(v, keyPath);
                    break;
                case "prometheus":
                    prometheus = yaml.Url(v, keyPath);
                    break;
                case "selector":
                    setting = setting with { Selector = Selector(yaml, v, keyPath) };
                    break;
                case "gpuselector":
                    setting = setting with { GpuSelector = Selector(yaml, v, keyPath) };
                    break;
                case "bearertoken":
                    setting = setting with { BearerToken = yaml.OptionalSecret(v, keyPath) };
                    break;
                case "basicauth":
                    setting = BasicAuth(yaml, v, keyPath, setting);
                    break;
                case "headers":
                    var headers = new Dictionary<string, Secret>(StringComparer.OrdinalIgnoreCase);
                    yaml.Headers(v, keyPath, headers);
                    setting = setting with { Headers = headers };
                    break;
                case "interval":
                    setting = setting with { Interval = yaml.Duration(v, keyPath, positive: true) ?? setting.Interval };
                    break;
                case "timeout":
                    setting = setting with { Timeout = yaml.Duration(v, keyPath, positive: true) ?? setting.Timeout };
                    break;
                default:
                    yaml.Error(k, keyPath, $"unknown key (known: {Known})");
                    break;
            }
        }

        var hasUrl = map.Children.Keys.Any(k => YamlValues.Normalize(YamlValues.KeyText(k)) == "url");
        var hasPrometheus = map.Children.Keys.Any(k => YamlValues.Normalize(YamlValues.KeyText(k)) == "prometheus");
        if (hasUrl == hasPrometheus)
        {
            yaml.Error(map, path, hasUrl ? "give url (a /metrics) or prometheus (a query API), not both" : "needs url (a /metrics) or prometheus (a query API)");
        }
        else if (hasUrl && (setting.Selector is not null || setting.GpuSelector is not null))
        {
            yaml.Error(map, path, "selector and gpu_selector go with prometheus, not url");
        }

        value = setting with
        {
            Kind = hasPrometheus ? ServerMetricsKind.Prometheus : ServerMetricsKind.Url,
            Url = prometheus ?? url,
        };
        return yaml.Errors.Count == errors && value.Url is not null;
    }

    private static string? Selector(YamlValues yaml, YamlNode node, string path)
    {
        var text = yaml.RequireText(node, path)?.Trim();
        if (text is not null && !IsSelector(text))
        {
            yaml.Error(node, path, $"must be a PromQL label selector such as {{model_name=\"m\", namespace=~\"llm-.*\"}} without __name__, got '{text}'");
            return null;
        }

        return text;
    }

    private static ServerMetricsSetting BasicAuth(YamlValues yaml, YamlNode node, string path, ServerMetricsSetting setting)
    {
        if (node is not YamlMappingNode map)
        {
            yaml.Error(node, path, "must be a mapping with username and password");
            return setting;
        }

        foreach (var (k, v) in map.Children)
        {
            var name = YamlValues.KeyText(k);
            setting = YamlValues.Normalize(name) switch
            {
                "username" => setting with { BasicAuthUsername = yaml.RequireText(v, $"{path}.{name}") },
                "password" => setting with { BasicAuthPassword = yaml.OptionalSecret(v, $"{path}.{name}") },
                _ => Unknown(yaml, k, $"{path}.{name}", setting),
            };
        }

        return setting;

        static ServerMetricsSetting Unknown(YamlValues yaml, YamlNode key, string path, ServerMetricsSetting setting)
        {
            yaml.Error(key, path, "unknown key (expected username, password)");
            return setting;
        }
    }

    private static string Text(ServerMetricsSetting value) => value.Kind switch
    {
        ServerMetricsKind.Off => "false",
        ServerMetricsKind.Url => Reporting.EffectiveConfig.RedactUrl(value.Url!),
        ServerMetricsKind.Prometheus => $"prometheus {Reporting.EffectiveConfig.RedactUrl(value.Url!)} {value.Selector ?? "{model_name=\"<model>\"}"}"
            + (value.GpuSelector is { } gpu ? $", gpu {gpu}" : string.Empty),
        _ => "true",
    };

    private static JsonNode? Report(ServerMetricsSetting value)
    {
        if (value.Kind is ServerMetricsKind.Target or ServerMetricsKind.Off)
        {
            return JsonValue.Create(value.Kind == ServerMetricsKind.Target ? "target" : "off");
        }

        var node = new JsonObject
        {
            [value.Kind == ServerMetricsKind.Url ? "url" : "prometheus"] = Reporting.EffectiveConfig.RedactUrl(value.Url!),
            ["selector"] = value.Selector,
            ["gpuSelector"] = value.GpuSelector,
            ["intervalSeconds"] = value.Interval.TotalSeconds,
            ["timeoutSeconds"] = value.Timeout.TotalSeconds,
        };
        if (value.BearerToken is not null)
        {
            node["bearerToken"] = Secret.Mask;
        }

        if (value.BasicAuthUsername is not null)
        {
            node["basicAuth"] = new JsonObject { ["username"] = value.BasicAuthUsername, ["password"] = value.BasicAuthPassword is null ? null : Secret.Mask };
        }

        if (value.Headers.Count > 0)
        {
            node["headers"] = new JsonObject(value.Headers.Select(h => KeyValuePair.Create<string, JsonNode?>(h.Key, Secret.Mask)));
        }

        return node;
    }

    [GeneratedRegex("""^\{\s*(?:[a-zA-Z_][a-zA-Z0-9_]*\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"(?:\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*")*\s*,?\s*)?\}$""")]
    private static partial Regex SelectorPattern();
}
