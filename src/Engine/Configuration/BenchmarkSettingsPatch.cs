using System.Collections.Immutable;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Settings given at one level (defaults, a target, a queue message or the command line); a setting not given is absent.</summary>
public sealed class BenchmarkSettingsPatch
{
    private readonly ImmutableSortedDictionary<int, (Setting Setting, object? Value)> _values;

    /// <summary>Creates an empty patch.</summary>
    public BenchmarkSettingsPatch()
        : this(ImmutableSortedDictionary<int, (Setting, object?)>.Empty)
    {
    }

    private BenchmarkSettingsPatch(ImmutableSortedDictionary<int, (Setting, object?)> values)
    {
        _values = values;
    }

    /// <summary>The settings given, with their values, in table (merge) order.</summary>
    public IEnumerable<(Setting Setting, object? Value)> Given => _values.Values;

    /// <summary>True when nothing is given.</summary>
    public bool IsEmpty => _values.IsEmpty;

    /// <summary>True when <paramref name="setting"/> is given.</summary>
    public bool Has(Setting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        return _values.ContainsKey(setting.Index);
    }

    /// <summary>This patch with <paramref name="setting"/> given as <paramref name="value"/>.</summary>
    public BenchmarkSettingsPatch With<T>(Setting<T> setting, T value) => With((Setting)setting, value);

    /// <summary>This patch with every value <paramref name="over"/> gives replacing this one's.</summary>
    public BenchmarkSettingsPatch Merge(BenchmarkSettingsPatch over)
    {
        ArgumentNullException.ThrowIfNull(over);
        return over.IsEmpty ? this : new BenchmarkSettingsPatch(_values.SetItems(over._values));
    }

    internal BenchmarkSettingsPatch With(Setting setting, object? value)
    {
        ArgumentNullException.ThrowIfNull(setting);
        return new BenchmarkSettingsPatch(_values.SetItem(setting.Index, (setting, value)));
    }
}
