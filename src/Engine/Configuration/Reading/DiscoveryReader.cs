using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration.Reading;

/// <summary>Reads the Go runner's <c>discovery:</c> section: <c>enabled</c>, and per environment endpoint, base_url, api_key.</summary>
internal sealed class DiscoveryReader(YamlValues yaml)
{
    public DiscoveryConfig Read(YamlNode node, string path)
    {
        var result = new DiscoveryConfig();
        if (node is not YamlMappingNode map)
        {
            yaml.Error(node, path, "must be a mapping with enabled and environments");
            return result;
        }

        var sawEnvironments = false;
        foreach (var (keyNode, value) in map.Children)
        {
            var key = YamlValues.KeyText(keyNode);
            var keyPath = $"{path}.{key}";
            switch (YamlValues.Normalize(key))
            {
                case "enabled":
                    result = result with { Enabled = yaml.Bool(value, keyPath) ?? false };
                    break;
                case "environments":
                    sawEnvironments = true;
                    result = result with { Environments = ReadEnvironments(value, keyPath) };
                    break;
                default:
                    yaml.Error(keyNode, keyPath, "unknown key (expected enabled, environments)");
                    break;
            }
        }

        if (result.Enabled && !sawEnvironments)
        {
            yaml.Error(node, $"{path}.environments", "missing: discovery is enabled but names no environment with an endpoint");
        }

        return result;
    }

    private List<DiscoveryEnvironment> ReadEnvironments(YamlNode node, string path)
    {
        var result = new List<DiscoveryEnvironment>();
        if (node is not YamlMappingNode map)
        {
            yaml.Error(node, path, "must be a mapping of environment name to endpoint, base_url and api_key");
            return result;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var name = YamlValues.KeyText(keyNode);
            var envPath = $"{path}.{name}";
            if (value is not YamlMappingNode envMap)
            {
                yaml.Error(value, envPath, "must be a mapping with endpoint, base_url and api_key");
                continue;
            }

            Uri? endpoint = null, baseUrl = null;
            Secret? apiKey = null;
            var sawEndpoint = false;
            foreach (var (k, v) in envMap.Children)
            {
                var key = YamlValues.KeyText(k);
                var keyPath = $"{envPath}.{key}";
                switch (YamlValues.Normalize(key))
                {
                    case "endpoint":
                        sawEndpoint = true;
                        endpoint = yaml.Url(v, keyPath);
                        break;
                    case "baseurl":
                        baseUrl = yaml.Url(v, keyPath);
                        break;
                    case "apikey":
                        apiKey = yaml.OptionalSecret(v, keyPath);
                        break;
                    default:
                        yaml.Error(k, keyPath, "unknown key (expected endpoint, base_url, api_key)");
                        break;
                }
            }

            if (!sawEndpoint)
            {
                yaml.Error(value, $"{envPath}.endpoint", "missing: the URL of the router's model list (…/v1/models)");
            }

            if (endpoint is not null)
            {
                result.Add(new DiscoveryEnvironment { Name = name, Endpoint = endpoint, BaseUrl = baseUrl, ApiKey = apiKey, SourceLine = (int)keyNode.Start.Line });
            }
        }

        return result;
    }
}
