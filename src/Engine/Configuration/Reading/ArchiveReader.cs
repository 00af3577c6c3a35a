using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration.Reading;

/// <summary>Reads <c>archive:</c>: a connection string or an account URL (managed identity), and a container.</summary>
internal sealed partial class ArchiveReader(YamlValues yaml)
{
    public ArchiveConfig? Read(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            yaml.Error(node, path, "must be a mapping with connection or account_url, and container");
            return null;
        }

        var archive = new ArchiveConfig();
        foreach (var (k, v) in map.Children)
        {
            var key = YamlValues.KeyText(k);
            var keyPath = $"{path}.{key}";
            switch (YamlValues.Normalize(key))
            {
                case "connection" or "connectionstring":
                    archive = archive with { Connection = yaml.OptionalSecret(v, keyPath) };
                    break;
                case "accounturl":
                    archive = archive with { AccountUrl = yaml.Url(v, keyPath) };
                    break;
                case "container":
                    var container = yaml.RequireText(v, keyPath);
                    if (container is not null && !ContainerName().IsMatch(container))
                    {
                        yaml.Error(v, keyPath, "must be 3-63 lowercase letters, digits and single hyphens (an Azure container name)");
                    }

                    archive = archive with { Container = container ?? archive.Container };
                    break;
                default:
                    yaml.Error(k, keyPath, "unknown key (expected connection, account_url, container)");
                    break;
            }
        }

        if (archive.Connection is null && archive.AccountUrl is null)
        {
            yaml.Error(map, path, "needs connection (a storage connection string) or account_url (managed identity)");
        }

        return archive;
    }

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerName();
}
