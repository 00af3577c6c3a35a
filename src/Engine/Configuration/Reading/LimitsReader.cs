using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration.Reading;

/// <summary>Reads <c>limits:</c>, the caps on what an on-demand queue message may ask (<see cref="QueueLimits"/>).</summary>
internal sealed class LimitsReader(YamlValues yaml)
{
    private const string Keys = "rate, streams, seconds, requests, prompt_tokens, output_tokens";

    public QueueLimits Read(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            yaml.Error(node, path, $"must be a mapping of caps ({Keys}), environments and targets");
            return QueueLimits.Default;
        }

        var all = ReadCaps(map, path, RunLimits.Default, nested: true);
        var environments = new Dictionary<string, RunLimits>(StringComparer.Ordinal);
        var targets = new Dictionary<string, RunLimits>(StringComparer.Ordinal);
        // Environments first: a target's caps start from its environment's.
        foreach (var (k, v) in map.Children.OrderBy(c => YamlValues.Normalize(YamlValues.KeyText(c.Key)) == "targets" ? 1 : 0))
        {
            var key = YamlValues.KeyText(k);
            var scopes = YamlValues.Normalize(key) switch
            {
                "environments" => environments,
                "targets" => targets,
                _ => null,
            };
            if (scopes is null)
            {
                continue;
            }

            if (v is not YamlMappingNode named)
            {
                yaml.Error(v, $"{path}.{key}", key == "targets" ? "must be a mapping of ENV/TARGET to caps" : "must be a mapping of environment name to caps");
                continue;
            }

            foreach (var (nameNode, caps) in named.Children)
            {
                var name = YamlValues.KeyText(nameNode);
                if (scopes == targets && name.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
                {
                    yaml.Error(nameNode, $"{path}.{key}.{name}", "must name a target as ENVIRONMENT/TARGET");
                    continue;
                }

                var parent = scopes == targets && environments.TryGetValue(name.Split('/')[0], out var env) ? env : all;
                scopes[name] = caps is YamlMappingNode capsMap ? ReadCaps(capsMap, $"{path}.{key}.{name}", parent, nested: false) : Fail(caps, $"{path}.{key}.{name}", parent);
            }
        }

        return new QueueLimits(all, environments, targets);
    }

    private RunLimits Fail(YamlNode node, string path, RunLimits parent)
    {
        yaml.Error(node, path, $"must be a mapping of caps ({Keys})");
        return parent;
    }

    private RunLimits ReadCaps(YamlMappingNode map, string path, RunLimits caps, bool nested)
    {
        foreach (var (k, v) in map.Children)
        {
            var key = YamlValues.KeyText(k);
            var at = $"{path}.{key}";
            caps = YamlValues.Normalize(key) switch
            {
                "rate" => yaml.Double(v, at, 0, exclusiveMin: true) is { } rate ? caps with { Rate = rate } : caps,
                "streams" => yaml.Int(v, at, 1) is { } streams ? caps with { Streams = streams } : caps,
                "seconds" => yaml.Duration(v, at, positive: true) is { } seconds ? caps with { Seconds = seconds } : caps,
                "requests" => yaml.Int(v, at, 1) is { } requests ? caps with { Requests = requests } : caps,
                "prompttokens" => yaml.Int(v, at, 1) is { } prompt ? caps with { PromptTokens = prompt } : caps,
                "outputtokens" => yaml.Int(v, at, 1) is { } output ? caps with { OutputTokens = output } : caps,
                "environments" or "targets" when nested => caps,
                _ => Unknown(k, at, caps, nested),
            };
        }

        return caps;
    }

    private RunLimits Unknown(YamlNode key, string path, RunLimits caps, bool nested)
    {
        yaml.Error(key, path, $"unknown key (expected {Keys}{(nested ? ", environments, targets" : string.Empty)})");
        return caps;
    }
}
