using System.Text.Json.Nodes;
using GuidellmFunctions.Engine.Configuration.Reading;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// One benchmark setting as <see cref="SettingsTable"/> defines it, once: the names it is written under (YAML key and
/// aliases, <c>run</c> flag, queue override key, report field), how its value is read, checked, merged, reported and
/// documented. The YAML loader, the command line, the queue message, the report's <c>config</c>, <c>validate</c> and
/// docs/settings.md all read it from here.
/// </summary>
public abstract class Setting
{
    private readonly string? _reportField;

    private protected Setting(string key, SettingChannels channels)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        Key = key;
        Channels = channels;
    }

    /// <summary>The YAML key, snake_case (<c>max_seconds</c>); camelCase and kebab-case spellings match too.</summary>
    public string Key { get; }

    /// <summary>Other YAML keys of the same setting (<c>warmup</c> for <c>warmup_seconds</c>).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Where the setting may be given.</summary>
    public SettingChannels Channels { get; }

    /// <summary>The key in camelCase (<c>maxSeconds</c>).</summary>
    public string CamelName => ToCamel(Key);

    /// <summary>The flag of <c>run</c> (<c>--max-seconds</c>); null when the setting cannot be given on the command line.</summary>
    public string? Flag => Channels.HasFlag(SettingChannels.Cli) ? "--" + Key.Replace('_', '-') : null;

    /// <summary>The key in a queue message's <c>overrides</c> (<c>maxSeconds</c>); null when a message may not set it.</summary>
    public string? OverrideKey => Channels.HasFlag(SettingChannels.Queue) ? CamelName : null;

    /// <summary>
    /// The field of the report's <c>config</c> that holds the value (the camelCase key unless given); null when the
    /// setting is folded into another one and shown there.
    /// </summary>
    public string? ReportField
    {
        get => FoldsInto is null ? _reportField ?? CamelName : null;
        init => _reportField = value;
    }

    /// <summary>The setting this one is folded into when merged (<c>prompt_tokens</c> into <c>data_spec</c>); null for most.</summary>
    public Setting? FoldsInto { get; init; }

    /// <summary>One line for the docs: what it does, and anything a user must know.</summary>
    public required string Doc { get; init; }

    /// <summary>A valid value other than the default, as text: the docs' example and the round-trip tests' input.</summary>
    public required string Example { get; init; }

    /// <summary>True when the value is a secret: reports, logs and <c>validate</c> show it masked.</summary>
    public bool IsSecret { get; init; }

    /// <summary>What may be written (for example "duration &gt; 0").</summary>
    public abstract string Values { get; }

    /// <summary>The default as a config would write it.</summary>
    public abstract string DefaultText { get; }

    /// <summary>Position in <see cref="SettingsTable.All"/>: where the value is kept, and the order settings merge in.</summary>
    internal int Index { get; set; }

    internal abstract object? DefaultValue { get; }

    /// <summary>True when <paramref name="key"/> (any spelling) names this setting in the YAML.</summary>
    public bool IsNamed(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var normalized = YamlValues.Normalize(key);
        return YamlValues.Normalize(Key) == normalized || Aliases.Any(a => YamlValues.Normalize(a) == normalized);
    }

    /// <summary>The value's text in <paramref name="settings"/> (masked when secret).</summary>
    public abstract string Describe(BenchmarkSettings settings);

    internal abstract bool TryRead(YamlValues yaml, YamlNode node, string path, out object? value);

    internal abstract BenchmarkSettings Merge(BenchmarkSettings settings, object? value);

    internal abstract JsonNode? Report(BenchmarkSettings settings);

    internal abstract string? Check(BenchmarkSettings settings);

    internal static string ToCamel(string snake)
    {
        var parts = snake.Split('_', StringSplitOptions.RemoveEmptyEntries);
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }

    /// <inheritdoc />
    public override string ToString() => Key;
}
