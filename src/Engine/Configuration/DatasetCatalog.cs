namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// The datasets a config names: its <c>datasets:</c> list and every named <c>dataset:</c> mapping of <c>defaults</c> and
/// targets. A target, a flag or a queue message picks one by name; nothing else makes the runner read a file or blob.
/// </summary>
internal static class DatasetCatalog
{
    /// <summary>Every named dataset of the config, each name once; a name given to two different datasets is a problem.</summary>
    public static IReadOnlyList<DatasetSpec> Collect(IReadOnlyList<DatasetSpec> listed, BenchmarkSettingsPatch defaults, IEnumerable<EnvironmentConfig> environments, string source, List<ConfigError> problems)
    {
        var byName = new Dictionary<string, DatasetSpec>(StringComparer.Ordinal);
        var inline = environments.SelectMany(e => e.Targets).Select(t => t.Settings).Prepend(defaults)
            .SelectMany(p => p.Given).Where(g => g.Setting == SettingsTable.Dataset).Select(g => g.Value as DatasetSpec);
        foreach (var spec in listed.Concat(inline.OfType<DatasetSpec>()))
        {
            if (spec is not { Name: { } name, IsReference: false })
            {
                continue;
            }

            if (!byName.TryGetValue(name, out var known))
            {
                byName[name] = spec;
            }
            else if (known != spec)
            {
                problems.Add(new ConfigError(source, 0, 0, "datasets", $"the name '{name}' is given to two different datasets ({known.Location} and {spec.Location})"));
            }
        }

        return [.. byName.Values];
    }

    /// <summary><paramref name="settings"/> with a dataset given by name replaced by the dataset; an unknown name is a problem.</summary>
    public static BenchmarkSettings Resolve(BenchmarkSettings settings, IReadOnlyList<DatasetSpec> known, List<(string Key, string Message)> problems)
    {
        if (settings.Get(SettingsTable.Dataset) is not { IsReference: true, Name: { } name })
        {
            return settings;
        }

        if (known.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal)) is { } found)
        {
            return settings.Set(SettingsTable.Dataset, found);
        }

        var names = known.Count == 0 ? "the config names none" : "known: " + string.Join(", ", known.Select(d => d.Name));
        problems.Add((SettingsTable.Dataset.Key, $"unknown dataset '{name}' ({names})"));
        return settings;
    }
}
