using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration.Reading;

/// <summary>Reads <c>environments:</c>: each environment's <c>targets:</c> list, each target's fields and settings.</summary>
internal sealed class EnvironmentsReader(YamlValues yaml)
{
    private static readonly string[] TargetKeys = ["name", "url", "model", "api_key", "api_key_header", "headers", "notes"];

    private static readonly IReadOnlyList<string> KnownTargetKeys = [.. TargetKeys, .. SettingsReader.YamlKeys];

    private readonly SettingsReader _settings = new(yaml);

    public List<EnvironmentConfig> Read(YamlNode node, string path)
    {
        var result = new List<EnvironmentConfig>();
        if (node is not YamlMappingNode map || map.Children.Count == 0)
        {
            yaml.Error(node, path, "must be a mapping of environment name to its targets");
            return result;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var name = YamlValues.KeyText(keyNode);
            var envPath = $"{path}.{name}";
            if (value is not YamlMappingNode envMap)
            {
                yaml.Error(value, envPath, "must be a mapping with a 'targets:' list");
                continue;
            }

            var targets = new List<TargetConfig>();
            var sawTargets = false;
            foreach (var (envKey, envValue) in envMap.Children)
            {
                var k = YamlValues.KeyText(envKey);
                if (YamlValues.Normalize(k) != "targets")
                {
                    yaml.Error(envKey, $"{envPath}.{k}", "unknown key (expected targets)");
                    continue;
                }

                sawTargets = true;
                targets = ReadTargets(envValue, $"{envPath}.{k}");
            }

            if (!sawTargets)
            {
                yaml.Error(value, envPath, "missing 'targets:' list");
            }

            result.Add(new EnvironmentConfig(name, targets));
        }

        return result;
    }

    private List<TargetConfig> ReadTargets(YamlNode node, string path)
    {
        var result = new List<TargetConfig>();
        if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
        {
            yaml.Error(node, path, "must be a non-empty list of targets");
            return result;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var target = ReadTarget(seq.Children[i], $"{path}[{i}]");
            var name = target?.Name ?? NameOf(seq.Children[i]);
            if (name is not null && !names.Add(name))
            {
                yaml.Error(seq.Children[i], $"{path}[{i}].name", $"duplicate target name '{name}'");
            }

            if (target is not null)
            {
                result.Add(target);
            }
        }

        return result;
    }

    private TargetConfig? ReadTarget(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            yaml.Error(node, path, "must be a mapping with name, url and model");
            return null;
        }

        string? name = null, model = null, notes = null, keyHeader = null;
        Uri? url = null;
        Secret? apiKey = null;
        var headers = new Dictionary<string, Secret>(StringComparer.OrdinalIgnoreCase);
        var settings = new BenchmarkSettingsPatch();
        foreach (var (keyNode, value) in map.Children)
        {
            var key = YamlValues.KeyText(keyNode);
            var keyPath = $"{path}.{key}";
            switch (YamlValues.Normalize(key))
            {
                case "name":
                    name = yaml.RequireText(value, keyPath);
                    break;
                case "model":
                    model = yaml.RequireText(value, keyPath);
                    break;
                case "url":
                    url = yaml.Url(value, keyPath);
                    break;
                case "apikey":
                    apiKey = yaml.OptionalSecret(value, keyPath);
                    break;
                case "apikeyheader":
                    keyHeader = yaml.RequireText(value, keyPath);
                    break;
                case "notes":
                    notes = yaml.Text(value, keyPath);
                    break;
                case "headers":
                    yaml.Headers(value, keyPath, headers);
                    RefuseCompression(value, keyPath, headers);
                    break;
                default:
                    settings = _settings.ReadKey(settings, key, keyPath, value, keyNode, KnownTargetKeys);
                    break;
            }
        }

        if (name is null)
        {
            yaml.Error(node, $"{path}.name", "missing: every target needs a name");
        }

        if (url is null && !HasKey(map, "url"))
        {
            yaml.Error(node, $"{path}.url", "missing: every target needs a url");
        }

        if (model is null && !HasKey(map, "model"))
        {
            yaml.Error(node, $"{path}.model", "missing: every target needs a model (the name the server serves, vLLM's model_name)");
        }

        if (name is null || url is null || model is null)
        {
            return null;
        }

        return new TargetConfig
        {
            Name = name,
            Url = url,
            Model = model,
            ApiKey = apiKey,
            ApiKeyHeader = keyHeader,
            Headers = headers,
            Notes = notes,
            Settings = settings,
            SourceLine = (int)node.Start.Line,
        };
    }

    private static bool HasKey(YamlMappingNode map, string normalized) =>
        map.Children.Keys.Any(k => YamlValues.Normalize(YamlValues.KeyText(k)) == normalized);

    private static string? NameOf(YamlNode node) =>
        node is YamlMappingNode map
            ? map.Children.FirstOrDefault(c => YamlValues.Normalize(YamlValues.KeyText(c.Key)) == "name").Value is YamlScalarNode { Value: { Length: > 0 } v } ? v : null
            : null;

    /// <summary>
    /// A target may not ask for a compressed response: the runner reads event streams as sent, and a compressed stream's
    /// chunks arrive when the compressor flushes, not when the server produced them (issue 22).
    /// </summary>
    private void RefuseCompression(YamlNode node, string path, Dictionary<string, Secret> headers)
    {
        if (headers.TryGetValue("Accept-Encoding", out var encoding) && !encoding.Reveal().Trim().Equals("identity", StringComparison.OrdinalIgnoreCase)
            && node is YamlMappingNode map)
        {
            var (keyNode, _) = map.Children.First(c => YamlValues.KeyText(c.Key).Equals("Accept-Encoding", StringComparison.OrdinalIgnoreCase));
            yaml.Error(keyNode, $"{path}.{YamlValues.KeyText(keyNode)}", "asks the server to compress the event stream, which the runner does not decode (a compressed stream's chunks arrive when the compressor flushes, not when the server produced them): remove it");
        }
    }
}
