using System.Text.Json.Nodes;
using GuidellmFunctions.Engine.Configuration.Reading;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>A setting whose value is a <typeparamref name="T"/>; see <see cref="Setting"/>.</summary>
/// <typeparam name="T">The value's type (nullable when "none" is a value, as for <c>max_requests</c>).</typeparam>
public sealed class Setting<T> : Setting
{
    internal Setting(string key, SettingFormat<T> format, T defaultValue, SettingChannels channels = SettingChannels.All)
        : base(key, channels)
    {
        ArgumentNullException.ThrowIfNull(format);
        Format = format;
        Default = defaultValue;
    }

    /// <summary>The value when nothing sets it.</summary>
    public T Default { get; }

    /// <inheritdoc />
    public override string Values => Format.Values;

    /// <inheritdoc />
    public override string DefaultText => DefaultTextOverride ?? Format.Text(Default);

    internal SettingFormat<T> Format { get; }

    /// <summary>The default's text when it is not simply the value (for example "256 for throughput").</summary>
    internal string? DefaultTextOverride { get; init; }

    /// <summary>What is wrong with the value given every other setting; null when nothing is.</summary>
    internal Func<T, BenchmarkSettings, string?>? Validate { get; init; }

    /// <summary>How a given value changes the settings when it does more than replace this setting's value.</summary>
    internal Func<BenchmarkSettings, T, BenchmarkSettings>? MergeRule { get; init; }

    internal override object? DefaultValue => Default;

    /// <inheritdoc />
    public override string Describe(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return IsSecret ? Secret.Mask : Format.Text(settings.Get(this));
    }

    internal override bool TryRead(YamlValues yaml, YamlNode node, string path, out object? value)
    {
        var ok = Format.Parse(yaml, Key, node, path, out var typed);
        value = typed;
        return ok;
    }

    internal override BenchmarkSettings Merge(BenchmarkSettings settings, object? value) =>
        MergeRule is { } rule ? rule(settings, (T)value!) : settings.Set(this, (T)value!);

    internal override JsonNode? Report(BenchmarkSettings settings) =>
        IsSecret ? (settings.Get(this) is null ? null : JsonValue.Create(Secret.Mask)) : Format.Report(settings.Get(this));

    internal override string? Check(BenchmarkSettings settings) => Validate?.Invoke(settings.Get(this), settings);
}
