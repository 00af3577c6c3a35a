using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration.Reading;

/// <summary>Reads <c>prometheus:</c> (the Go runner's pull-mode port).</summary>
internal sealed class PrometheusReader(YamlValues yaml)
{
    public const int DefaultPort = 9090;

    public int Read(YamlNode node, string path)
    {
        var port = DefaultPort;
        if (node is not YamlMappingNode map)
        {
            yaml.Error(node, path, "must be a mapping (port)");
            return port;
        }

        foreach (var (k, v) in map.Children)
        {
            var key = YamlValues.KeyText(k);
            if (YamlValues.Normalize(key) == "port")
            {
                port = yaml.Int(v, $"{path}.{key}", 1, 65535) ?? port;
            }
            else
            {
                yaml.Error(k, $"{path}.{key}", "unknown key (expected port)");
            }
        }

        return port;
    }
}
