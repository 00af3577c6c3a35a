using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration.Reading;

/// <summary>Reads <c>remote_write:</c>, the list of receivers results are pushed to.</summary>
internal sealed class RemoteWriteReader(YamlValues yaml)
{
    public List<RemoteWriteConfig> Read(YamlNode node, string path)
    {
        var result = new List<RemoteWriteConfig>();
        if (node is not YamlSequenceNode seq)
        {
            yaml.Error(node, path, "must be a list of receivers, each with a url");
            return result;
        }

        for (var i = 0; i < seq.Children.Count; i++)
        {
            if (ReadReceiver(seq.Children[i], $"{path}[{i}]") is { } receiver)
            {
                result.Add(receiver);
            }
        }

        return result;
    }

    private RemoteWriteConfig? ReadReceiver(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            yaml.Error(node, path, "must be a mapping with a url");
            return null;
        }

        Uri? url = null;
        var config = new RemoteWriteConfig { Url = new Uri("http://placeholder") };
        foreach (var (k, v) in map.Children)
        {
            var key = YamlValues.KeyText(k);
            var keyPath = $"{path}.{key}";
            switch (YamlValues.Normalize(key))
            {
                case "url":
                    url = yaml.Url(v, keyPath);
                    break;
                case "pushinterval":
                    config = config with { PushInterval = yaml.Duration(v, keyPath, positive: true) ?? config.PushInterval };
                    break;
                case "timeout" or "remotetimeout":
                    config = config with { Timeout = yaml.Duration(v, keyPath, positive: true) ?? config.Timeout };
                    break;
                case "sendstalemarkers":
                    config = config with { SendStaleMarkers = yaml.Bool(v, keyPath) ?? config.SendStaleMarkers };
                    break;
                case "nativehistograms":
                    config = config with { NativeHistograms = yaml.Bool(v, keyPath) ?? config.NativeHistograms };
                    break;
                case "maxsamplesperrequest" or "maxsamplespersend":
                    config = config with { MaxSamplesPerRequest = yaml.Int(v, keyPath, 1) ?? config.MaxSamplesPerRequest };
                    break;
                case "bearertoken":
                    config = config with { BearerToken = yaml.OptionalSecret(v, keyPath) };
                    break;
                case "basicauth":
                    config = ReadBasicAuth(v, keyPath, config);
                    break;
                case "headers":
                    var headers = new Dictionary<string, Secret>(StringComparer.OrdinalIgnoreCase);
                    yaml.Headers(v, keyPath, headers);
                    config = config with { Headers = headers };
                    break;
                case "externallabels":
                    config = config with { ExternalLabels = ReadLabels(v, keyPath) };
                    break;
                default:
                    yaml.Error(k, keyPath, "unknown key (known: url, push_interval, headers, basic_auth, bearer_token, external_labels, send_stale_markers, native_histograms, timeout, max_samples_per_request)");
                    break;
            }
        }

        if (url is null)
        {
            if (!map.Children.Keys.Any(k => YamlValues.Normalize(YamlValues.KeyText(k)) == "url"))
            {
                yaml.Error(map, $"{path}.url", "missing: every receiver needs a url");
            }

            return null;
        }

        return config with { Url = url };
    }

    private RemoteWriteConfig ReadBasicAuth(YamlNode node, string path, RemoteWriteConfig config)
    {
        if (node is not YamlMappingNode map)
        {
            yaml.Error(node, path, "must be a mapping with username and password");
            return config;
        }

        foreach (var (k, v) in map.Children)
        {
            var key = YamlValues.KeyText(k);
            switch (YamlValues.Normalize(key))
            {
                case "username":
                    config = config with { BasicAuthUsername = yaml.RequireText(v, $"{path}.{key}") };
                    break;
                case "password":
                    var password = yaml.Text(v, $"{path}.{key}");
                    config = config with { BasicAuthPassword = password is null ? null : new Secret(password) };
                    break;
                default:
                    yaml.Error(k, $"{path}.{key}", "unknown key (expected username, password)");
                    break;
            }
        }

        return config;
    }

    private Dictionary<string, string> ReadLabels(YamlNode node, string path)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is not YamlMappingNode map)
        {
            yaml.Error(node, path, "must be a mapping of label name to value");
            return labels;
        }

        foreach (var (k, v) in map.Children)
        {
            var name = YamlValues.KeyText(k);
            if (!Export.LabelSet.IsValidName(name) || name.StartsWith("__", StringComparison.Ordinal))
            {
                yaml.Error(k, $"{path}.{name}", "invalid label name (letters, digits and _; not starting with a digit or __)");
            }
            else if (name is "environment" or "target" or "model")
            {
                yaml.Error(k, $"{path}.{name}", $"'{name}' is set by the runner and cannot be an external label");
            }

            labels[name] = yaml.Text(v, $"{path}.{name}") ?? string.Empty;
        }

        return labels;
    }
}
