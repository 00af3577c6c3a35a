using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration.Reading;

/// <summary>Reads benchmark settings (a <c>defaults:</c> mapping, one key of a target, a flag or an override) through <see cref="SettingsTable"/>.</summary>
internal sealed class SettingsReader(YamlValues yaml)
{
    /// <summary>Every key a settings mapping accepts, aliases included, for "unknown key" messages.</summary>
    public static IReadOnlyList<string> YamlKeys { get; } = [.. SettingsTable.In(SettingChannels.Yaml).SelectMany(s => (string[])[s.Key, .. s.Aliases])];

    /// <summary>Reads <c>defaults:</c>.</summary>
    public BenchmarkSettingsPatch ReadMapping(YamlNode node, string path)
    {
        var patch = new BenchmarkSettingsPatch();
        if (node is not YamlMappingNode map)
        {
            yaml.Error(node, path, "must be a mapping of settings");
            return patch;
        }

        foreach (var (k, v) in map.Children)
        {
            var key = YamlValues.KeyText(k);
            patch = ReadKey(patch, key, $"{path}.{key}", v, k, YamlKeys);
        }

        return patch;
    }

    /// <summary>Reads one YAML key into <paramref name="patch"/>; an unknown key is an error listing <paramref name="known"/>.</summary>
    public BenchmarkSettingsPatch ReadKey(BenchmarkSettingsPatch patch, string key, string path, YamlNode value, YamlNode keyNode, IReadOnlyList<string> known)
    {
        if (SettingsTable.FindByKey(key) is not { } setting || !setting.Channels.HasFlag(SettingChannels.Yaml))
        {
            yaml.Error(keyNode, path, $"unknown key (known: {string.Join(", ", known)})");
            return patch;
        }

        return Read(patch, setting, path, value);
    }

    /// <summary>Reads <paramref name="value"/> as <paramref name="setting"/> into <paramref name="patch"/>; unchanged after recording a problem.</summary>
    public BenchmarkSettingsPatch Read(BenchmarkSettingsPatch patch, Setting setting, string path, YamlNode value) =>
        setting.TryRead(yaml, value, path, out var read) ? patch.With(setting, read) : patch;
}
