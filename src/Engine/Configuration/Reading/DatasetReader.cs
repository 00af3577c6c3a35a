using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration.Reading;

/// <summary>
/// Reads a <c>dataset:</c> value (a mapping that defines a dataset, or the name of one the config defines) and the
/// top-level <c>datasets:</c> list of named datasets.
/// </summary>
internal sealed class DatasetReader(YamlValues yaml)
{
    /// <summary>The keys of a dataset mapping.</summary>
    public static readonly string[] Keys =
    [
        "name", "path", "url", "format", "order", "min_prompt_tokens", "max_prompt_tokens", "prompt_column",
        "output_tokens_column", "output_tokens", "time_scale", "block_tokens",
    ];

    /// <summary>What a <c>dataset:</c> value may be, for the docs.</summary>
    public const string Values = "a mapping {name?, path | url, format, order, min_prompt_tokens, max_prompt_tokens, prompt_column, output_tokens_column, output_tokens, time_scale, block_tokens}, the name of a dataset the config defines, or none";

    /// <summary>Reads a <c>dataset:</c> value: null for <c>none</c>; false after recording a problem.</summary>
    public bool TryRead(YamlNode node, string path, out DatasetSpec? spec)
    {
        spec = null;
        if (node is YamlScalarNode)
        {
            var name = yaml.RequireText(node, path);
            if (name is null)
            {
                return false;
            }

            spec = string.Equals(name.Trim(), "none", StringComparison.OrdinalIgnoreCase) ? null : new DatasetSpec { Name = name.Trim() };
            return true;
        }

        if (!yaml.InConfig)
        {
            yaml.Error(node, path, "a flag or a queue message picks a dataset by the name the config gives it; it cannot define one");
            return false;
        }

        spec = ReadMapping(node, path, nameRequired: false);
        return spec is not null;
    }

    /// <summary>Reads the top-level <c>datasets:</c> list; each entry needs a name.</summary>
    public List<DatasetSpec> ReadList(YamlNode node, string path)
    {
        var result = new List<DatasetSpec>();
        if (node is not YamlSequenceNode list)
        {
            yaml.Error(node, path, "must be a list of datasets, each with a name and a path or url");
            return result;
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            if (ReadMapping(list.Children[i], $"{path}[{i}]", nameRequired: true) is { } spec)
            {
                result.Add(spec);
            }
        }

        return result;
    }

    private DatasetSpec? ReadMapping(YamlNode node, string path, bool nameRequired)
    {
        if (node is not YamlMappingNode map)
        {
            yaml.Error(node, path, "must be a mapping with a path or a url (or the name of a dataset in datasets:)");
            return null;
        }

        var before = yaml.Errors.Count;
        var spec = new DatasetSpec();
        var sawPath = false;
        var sawUrl = false;
        foreach (var (keyNode, value) in map.Children)
        {
            var key = YamlValues.KeyText(keyNode);
            var at = $"{path}.{key}";
            switch (YamlValues.Normalize(key))
            {
                case "name":
                    spec = spec with { Name = yaml.RequireText(value, at)?.Trim() };
                    break;
                case "path":
                    sawPath = true;
                    spec = spec with { Path = yaml.RequireText(value, at) is { } p ? FullPath(p, value, at) : null };
                    break;
                case "url":
                    sawUrl = true;
                    spec = spec with { Url = yaml.Url(value, at) };
                    break;
                case "format":
                    spec = spec with { Format = yaml.Name(value, at, DatasetNames.Formats, "format") ?? spec.Format };
                    break;
                case "order":
                    spec = spec with { Order = yaml.Name(value, at, DatasetNames.Orders, "order") ?? spec.Order };
                    break;
                case "minprompttokens":
                    spec = spec with { MinPromptTokens = yaml.Int(value, at, 1) };
                    break;
                case "maxprompttokens":
                    spec = spec with { MaxPromptTokens = yaml.Int(value, at, 1) };
                    break;
                case "promptcolumn":
                    spec = spec with { PromptColumn = yaml.RequireText(value, at) ?? spec.PromptColumn };
                    break;
                case "outputtokenscolumn":
                    spec = spec with { OutputTokensColumn = yaml.RequireText(value, at) ?? spec.OutputTokensColumn };
                    break;
                case "outputtokens":
                    spec = spec with { OutputTokens = yaml.Name(value, at, DatasetNames.OutputLengths, "output_tokens") ?? spec.OutputTokens };
                    break;
                case "timescale":
                    spec = spec with { TimeScale = yaml.Double(value, at, 0, exclusiveMin: true) ?? spec.TimeScale };
                    break;
                case "blocktokens":
                    spec = spec with { BlockTokens = yaml.Int(value, at, 1) ?? spec.BlockTokens };
                    break;
                default:
                    yaml.Error(keyNode, at, $"unknown key (known: {string.Join(", ", Keys)})");
                    break;
            }
        }

        if (sawPath == sawUrl)
        {
            yaml.Error(node, path, sawPath ? "give a path or a url, not both" : "missing: a dataset needs a path (a local file) or a url (a blob)");
        }

        if (nameRequired && spec.Name is null)
        {
            yaml.Error(node, $"{path}.name", "missing: every dataset of datasets: needs a name (what targets and queue messages pick it by)");
        }

        if (spec is { MinPromptTokens: { } min, MaxPromptTokens: { } max } && min > max)
        {
            yaml.Error(node, path, $"min_prompt_tokens ({min}) is greater than max_prompt_tokens ({max})");
        }

        return yaml.Errors.Count == before ? spec : null;
    }

    private string? FullPath(string path, YamlNode node, string at)
    {
        try
        {
            // A relative path is read from the config file's folder, so a config and its datasets move together.
            var folder = File.Exists(yaml.Source) ? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(yaml.Source)) : null;
            return System.IO.Path.GetFullPath(path, folder ?? Directory.GetCurrentDirectory());
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            yaml.Error(node, at, $"not a valid file path ({ex.GetType().Name})");
            return null;
        }
    }
}
